using k8s;
using k8s.Models;
using Ops.Operator.Agents;

namespace Ops.TestSupport;

/// <summary>
/// Watches the agent pods and, at every watch event, counts the nodes without a Ready agent that is not
/// being deleted: the unavailability a rollout must keep within maxUnavailable. Also remembers which
/// versions each node ever ran.
/// </summary>
public sealed class FleetWatch : IAsyncDisposable
{
    private readonly Dictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly IReadOnlyList<string> _nodes;
    private readonly Task _watching;
    private readonly Lock _lock = new();

    public int MaxUnavailable { get; private set; }
    public int Events { get; private set; }
    public Dictionary<string, HashSet<string>> VersionsByNode { get; } = new(StringComparer.Ordinal);

    private FleetWatch(IKubernetes client, IReadOnlyList<string> nodes, string resourceVersion, IEnumerable<V1Pod> pods)
    {
        _nodes = nodes;
        foreach (var pod in pods) Observe(WatchEventType.Added, pod, count: false);
        _watching = Task.Run(() => WatchAsync(client, resourceVersion));
    }

    public static async Task<FleetWatch> StartAsync(IKubernetes client, IReadOnlyList<string> nodes)
    {
        var list = await client.CoreV1.ListNamespacedPodAsync(Ops.Demo.DemoCluster.OpsNamespace, labelSelector: AgentRegistry.AgentLabel);
        return new FleetWatch(client, nodes, list.Metadata.ResourceVersion, list.Items);
    }

    public int Unavailable()
    {
        lock (_lock) return _nodes.Count(node => !_pods.Values.Any(p => p.Spec.NodeName == node && p.Metadata.DeletionTimestamp is null
            && p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true));
    }

    private async Task WatchAsync(IKubernetes client, string resourceVersion)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(Ops.Demo.DemoCluster.OpsNamespace, labelSelector: AgentRegistry.AgentLabel,
                    resourceVersion: resourceVersion, timeoutSeconds: 300, cancellationToken: _stop.Token))
                {
                    if (type == WatchEventType.Bookmark) continue;
                    resourceVersion = pod.Metadata.ResourceVersion;
                    Observe(type, pod, count: true);
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void Observe(WatchEventType type, V1Pod pod, bool count)
    {
        lock (_lock)
        {
            Events++;
            if (type == WatchEventType.Deleted) _pods.Remove(pod.Metadata.Name);
            else _pods[pod.Metadata.Name] = pod;
            if (pod.Metadata.Labels?.TryGetValue(AgentRegistry.VersionLabel, out var version) == true && pod.Spec?.NodeName is { } node)
            {
                if (!VersionsByNode.TryGetValue(node, out var seen)) VersionsByNode[node] = seen = [];
                seen.Add(version);
            }
        }
        // The initial list is loaded pod by pod: counting then would see nodes not loaded yet as unavailable.
        if (count) MaxUnavailable = Math.Max(MaxUnavailable, Unavailable());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _watching;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
