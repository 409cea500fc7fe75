using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Informers;

namespace Ops.Operator.Agents;

/// <summary>
/// Which agent serves which node, learned by watching the agent pods: a pod that is Running, Ready,
/// has an IP and is not being deleted is the node's agent. Agents never report to the operator; the
/// Kubernetes API is the registry.
/// </summary>
public sealed class AgentRegistry(int agentPort)
{
    /// <summary>The label the agent pods carry (the chart and the sandbox set it).</summary>
    public const string AgentLabel = "app.kubernetes.io/name=ops-agent";
    public const string VersionLabel = "ops.dev/agent-version";

    private readonly ConcurrentDictionary<string, AgentEndpoint> _byNode = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _nodeOfPod = new(StringComparer.Ordinal);

    /// <summary>
    /// What <see cref="Observe"/> reads of an agent pod, and all the informer keeps of it: a few hundred bytes instead of the
    /// full pod (its spec, volumes, environment, managed fields), which at 5,000 nodes was about a third of the operator's live heap.
    /// </summary>
    public static V1Pod Essentials(V1Pod pod) => new()
    {
        ApiVersion = pod.ApiVersion,
        Kind = pod.Kind,
        Metadata = new V1ObjectMeta
        {
            Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty, Uid = pod.Metadata.Uid, ResourceVersion = pod.Metadata.ResourceVersion,
            DeletionTimestamp = pod.Metadata.DeletionTimestamp,
            Labels = pod.Metadata.Labels is { } labels && labels.TryGetValue(VersionLabel, out var version) ? new Dictionary<string, string> { [VersionLabel] = version } : null,
        },
        Spec = pod.Spec is null ? null : new V1PodSpec { NodeName = pod.Spec.NodeName, Containers = [] },
        Status = pod.Status is null ? null : new V1PodStatus
        {
            Phase = pod.Status.Phase, PodIP = pod.Status.PodIP,
            Conditions = pod.Status.Conditions?.Where(c => c.Type == "Ready").Select(c => new V1PodCondition { Type = c.Type, Status = c.Status }).ToList(),
        },
    };

    public AgentEndpoint? For(string node) => _byNode.GetValueOrDefault(node);

    public IReadOnlyCollection<AgentEndpoint> All => [.. _byNode.Values];

    public void Observe(ResourceEvent<V1Pod> change)
    {
        var pod = change.Object;
        var key = $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";
        var node = pod.Spec?.NodeName;
        if (change.Type == WatchEventType.Deleted || string.IsNullOrEmpty(node))
        {
            if (_nodeOfPod.TryRemove(key, out var was) && _byNode.TryGetValue(was, out var current) && current.Pod == key) _byNode.TryRemove(was, out _);
            return;
        }
        _nodeOfPod[key] = node;
        var ready = pod.Metadata.DeletionTimestamp is null && pod.Status?.Phase == "Running" && !string.IsNullOrEmpty(pod.Status.PodIP)
            && pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
        var endpoint = new AgentEndpoint(node, key, $"{pod.Status?.PodIP}:{agentPort}", ready, (pod.Metadata.Labels is { } labels && labels.TryGetValue(VersionLabel, out var version) ? version : null));
        // During a rollout the old and new agent pods of a node overlap briefly: a ready one wins.
        _byNode.AddOrUpdate(node, endpoint, (_, existing) => existing.Pod == key || endpoint.Ready || !existing.Ready ? endpoint : existing);
    }
}
