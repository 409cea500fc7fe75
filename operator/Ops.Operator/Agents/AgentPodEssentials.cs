using k8s.Models;

namespace Ops.Operator.Agents;

/// <summary>
/// All the operator's informer keeps of an agent pod: what <see cref="AgentRegistry"/> reads (node, IP,
/// phase, Ready, version) and what a rollout's fleet reads (the owning DaemonSet, the agent container's
/// image, restarts, when it was created and became Ready). A few hundred bytes instead of the full pod
/// (its spec, volumes, environment, managed fields), which at 5,000 nodes was about a third of the
/// operator's live heap.
/// </summary>
public static class AgentPodEssentials
{
    public static V1Pod Of(V1Pod pod) => new()
    {
        ApiVersion = pod.ApiVersion,
        Kind = pod.Kind,
        Metadata = new V1ObjectMeta
        {
            Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty, Uid = pod.Metadata.Uid, ResourceVersion = pod.Metadata.ResourceVersion,
            CreationTimestamp = pod.Metadata.CreationTimestamp, DeletionTimestamp = pod.Metadata.DeletionTimestamp,
            Labels = pod.Metadata.Labels is { } labels && labels.TryGetValue(AgentRegistry.VersionLabel, out var version) ? new Dictionary<string, string> { [AgentRegistry.VersionLabel] = version } : null,
            OwnerReferences = pod.Metadata.OwnerReferences?.Select(o => new V1OwnerReference { ApiVersion = o.ApiVersion, Kind = o.Kind, Name = o.Name, Uid = o.Uid, Controller = o.Controller }).ToList(),
        },
        Spec = pod.Spec is null ? null : new V1PodSpec
        {
            NodeName = pod.Spec.NodeName,
            Containers = Controllers.AgentVersions.AgentTemplate.AgentContainer(pod.Spec) is { } agent ? [new V1Container { Name = agent.Name, Image = agent.Image }] : [],
        },
        Status = pod.Status is null ? null : new V1PodStatus
        {
            Phase = pod.Status.Phase, PodIP = pod.Status.PodIP,
            Conditions = pod.Status.Conditions?.Where(c => c.Type == "Ready").Select(c => new V1PodCondition { Type = c.Type, Status = c.Status, LastTransitionTime = c.LastTransitionTime }).ToList(),
            ContainerStatuses = pod.Status.ContainerStatuses?.Select(c => new V1ContainerStatus { Name = c.Name, RestartCount = c.RestartCount }).ToList(),
        },
    };
}
