using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;

namespace Ops.ControllerRuntime.Tests;

/// <summary>A custom kind of the tests' own (CRD in Manifests/), so the runtime is shown to serve any kind.</summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "Widget", PluralName = Plural)]
public sealed class Widget() : CustomResource<Widget.WidgetSpec, Widget.WidgetStatus>($"{Group}/{Version}", "Widget")
{
    public const string Group = "example.dev";
    public const string Version = "v1";
    public const string Plural = "widgets";

    public sealed class WidgetSpec
    {
        [JsonPropertyName("size")] public int Size { get; set; }
    }

    public sealed class WidgetStatus : IControllerStatus
    {
        [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }
        [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }
    }

    public static Widget Named(string name, string ns = "default") => new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns } };

    /// <summary>Creates, patches and deletes widgets as a user would.</summary>
    public static GenericClient Client(IKubernetes client) => new(client, Group, Version, Plural, disposeClient: false);

    /// <summary>The sandbox's manifest directory holding the Widget CRD.</summary>
    public static string Manifests => Path.Combine(AppContext.BaseDirectory, "Manifests");
}
