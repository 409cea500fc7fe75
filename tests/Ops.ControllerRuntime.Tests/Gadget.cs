using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Ops.ControllerRuntime.Tests;

/// <summary>A second kind of the tests' own, which a Widget may own (an ownerReference) or merely watch.</summary>
[KubernetesEntity(Group = Widget.Group, ApiVersion = Widget.Version, Kind = "Gadget", PluralName = Plural)]
public sealed class Gadget : IKubernetesObject<V1ObjectMeta>
{
    public const string Plural = "gadgets";

    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = $"{Widget.Group}/{Widget.Version}";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "Gadget";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public Widget.WidgetSpec Spec { get; set; } = new();

    /// <summary>A gadget whose owner, when given, is that widget.</summary>
    public static Gadget Named(string name, Widget? owner = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name, NamespaceProperty = "default",
            OwnerReferences = owner is null ? null : [new V1OwnerReference { ApiVersion = owner.ApiVersion, Kind = owner.Kind, Name = owner.Metadata.Name, Uid = owner.Metadata.Uid }],
        },
    };

    public static GenericClient Client(IKubernetes client) => new(client, Widget.Group, Widget.Version, Plural, disposeClient: false);
}
