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
