using k8s.Models;
using Ops.ControllerRuntime.Client;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// The agent fleet as one reconcile sees it: a node per node the DaemonSet runs on (its nodeSelector),
/// canary nodes first, then by name, so every step takes the next nodes in the same order.
/// </summary>
public sealed class Fleet
{
    public IReadOnlyList<FleetNode> Nodes { get; }

    private Fleet(IReadOnlyList<FleetNode> nodes) => Nodes = nodes;

    public static Fleet Of(V1DaemonSet daemonSet, IEnumerable<V1Node> nodes, IEnumerable<V1Pod> pods, AgentTemplate target, V1LabelSelector? canary)
    {
        var nodeSelector = daemonSet.Spec.Template.Spec?.NodeSelector ?? new Dictionary<string, string>();
        var owned = pods.Where(p => p.Metadata.OwnerReferences?.Any(o => o.Uid == daemonSet.Metadata.Uid) == true && !string.IsNullOrEmpty(p.Spec?.NodeName))
            .ToLookup(p => p.Spec.NodeName, StringComparer.Ordinal);
        var fleet = nodes
            .Where(n => n.Metadata.DeletionTimestamp is null && nodeSelector.All(s => n.Metadata.Labels?.TryGetValue(s.Key, out var v) == true && v == s.Value))
            .Select(n =>
            {
                var live = owned[n.Metadata.Name].Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Phase is not ("Succeeded" or "Failed")).OrderByDescending(p => p.Metadata.CreationTimestamp).FirstOrDefault();
                var isCanary = canary is not null && LabelSelectors.Matches(canary, n.Metadata.Labels);
                return new FleetNode(n.Metadata.Name, isCanary, live, live is not null && target.Made(live));
            })
            .OrderByDescending(n => n.IsCanary).ThenBy(n => n.Name, StringComparer.Ordinal)
            .ToList();
        return new Fleet(fleet);
    }
}
