using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Agents;
using Ops.Operator.Controllers.AgentVersions;

namespace Ops.Operator.Tests.Controllers.AgentVersions;

/// <summary>Agent fleets as the API would list them: nodes n1…nN, each with a Ready agent pod of a given template.</summary>
internal static class TestFleet
{
    public static readonly AgentTemplate Old = new("1.0.0", "registry.local/ops-agent:1.0.0");
    public static readonly AgentTemplate New = new("2.0.0", "registry.local/ops-agent:2.0.0");
    public static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    /// <summary>One agent per node: <paramref name="templates"/>[i] on node n(i+1), null for a node whose pod is being re-created; canary nodes by name.</summary>
    public static Fleet Of(AgentTemplate converging, IReadOnlyList<AgentTemplate?> templates, bool[]? ready = null, string[]? canary = null)
    {
        var daemonSet = new V1DaemonSet { Metadata = new V1ObjectMeta { Uid = "ds-uid" }, Spec = new V1DaemonSetSpec { Template = new V1PodTemplateSpec { Spec = new V1PodSpec() } } };
        var nodes = templates.Select((_, i) => new V1Node
        {
            Metadata = new V1ObjectMeta { Name = $"n{i + 1}", Labels = canary?.Contains($"n{i + 1}") == true ? new Dictionary<string, string> { ["canary"] = "true" } : null },
        }).ToList();
        var pods = templates.Select((t, i) => (t, i)).Where(x => x.t is not null).Select(x => Pod($"n{x.i + 1}", x.t!, ready?[x.i] ?? true)).ToList();
        var selector = canary is null ? null : new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["canary"] = "true" } };
        return Fleet.Of(daemonSet, nodes, pods, converging, selector);
    }

    /// <summary>A fleet of <paramref name="count"/> nodes, the first <paramref name="updated"/> on the new template, the rest on the old.</summary>
    public static Fleet Rolling(int count, int updated = 0, AgentTemplate? converging = null) =>
        Of(converging ?? New, [.. Enumerable.Range(0, count).Select(i => i < updated ? New : Old)]);

    public static FleetHealth Health(IEnumerable<string>? passed = null, IEnumerable<string>? waiting = null, IDictionary<string, string>? failed = null, int unavailable = 0)
    {
        var health = new FleetHealth { Unavailable = unavailable };
        health.Passed.AddRange(passed ?? []);
        health.Waiting.AddRange(waiting ?? []);
        foreach (var (node, why) in failed ?? new Dictionary<string, string>()) health.Failed[node] = why;
        return health;
    }

    public static IEnumerable<string> Nodes(int from, int to) => Enumerable.Range(from, to - from + 1).Select(i => $"n{i}");

    private static V1Pod Pod(string node, AgentTemplate template, bool ready) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"agent-{node}",
            Uid = $"uid-{node}-{template.Version}",
            Labels = new Dictionary<string, string> { [AgentRegistry.VersionLabel] = template.Version },
            OwnerReferences = [new V1OwnerReference { Uid = "ds-uid", Name = "ops-agent", Kind = "DaemonSet", ApiVersion = "apps/v1" }],
            CreationTimestamp = Now.UtcDateTime.AddMinutes(-10),
        },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "agent", Image = template.Image }] },
        Status = new V1PodStatus
        {
            Phase = "Running",
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = Now.UtcDateTime.AddMinutes(-5) }],
        },
    };
}
