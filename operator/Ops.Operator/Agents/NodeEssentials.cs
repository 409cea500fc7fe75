using k8s.Models;

namespace Ops.Operator.Agents;

/// <summary>
/// All the operator's node informer keeps of a node: its name, labels (a DaemonSet's nodeSelector, a
/// rollout's canary selector) and whether it is being deleted. A node's status (images, conditions,
/// addresses) is kilobytes the operator never reads.
/// </summary>
public static class NodeEssentials
{
    public static V1Node Of(V1Node node) => new()
    {
        ApiVersion = node.ApiVersion,
        Kind = node.Kind,
        Metadata = new V1ObjectMeta
        {
            Name = node.Metadata.Name, Uid = node.Metadata.Uid, ResourceVersion = node.Metadata.ResourceVersion,
            DeletionTimestamp = node.Metadata.DeletionTimestamp,
            Labels = node.Metadata.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : null,
        },
    };
}
