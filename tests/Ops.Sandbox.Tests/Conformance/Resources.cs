using k8s;
using k8s.Models;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Sandbox.Tests.Conformance;

/// <summary>Typed access to the ops.dev resources and small builders for test objects.</summary>
internal static class Resources
{
    public static GenericClient Commands(IKubernetes client) => new(client, ApiGroup.Name, ApiGroup.Version, V1Alpha1DiagnosticCommand.Plural, disposeClient: false);

    public static V1Alpha1DiagnosticCommand Command(string name, string action = "processes", Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1Alpha1DiagnosticCommand.CommandSpec
        {
            Action = action,
            Target = new V1Alpha1DiagnosticCommand.TargetSpec
            {
                Pods = new V1Alpha1DiagnosticCommand.PodTarget { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } } },
            },
        },
    };

    public static V1ConfigMap ConfigMap(string name, Dictionary<string, string>? labels = null, Dictionary<string, string>? data = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Data = data ?? new Dictionary<string, string> { ["key"] = "value" },
    };

    public static V1OwnerReference OwnedBy(V1ConfigMap owner) => new() { ApiVersion = "v1", Kind = "ConfigMap", Name = owner.Metadata.Name, Uid = owner.Metadata.Uid };
}
