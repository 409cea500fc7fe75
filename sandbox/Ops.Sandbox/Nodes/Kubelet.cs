using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Ops.Sandbox.Api;
using Ops.Sandbox.Controllers;
using Ops.Sandbox.Hosting;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Nodes;

/// <summary>
/// The simulated nodes: registers them as Node objects, binds unscheduled pods to the node with the
/// fewest pods (honouring nodeSelector), and plays each node's kubelet: runs the pods bound to it as
/// real processes and writes their status. A deleted pod's processes get SIGTERM, then SIGKILL; the
/// pod object goes once they have stopped, as a kubelet finishes a graceful deletion.
/// </summary>
internal sealed class Kubelet(ResourceService service, SandboxOptions options, INodeRuntime runtime, Processes.SandboxWorkspace workspace, ILogger<Kubelet> logger) : ISandboxController, IAsyncDisposable
{
    private const string Pods = "pods";
    private readonly ConcurrentDictionary<string, PodRuntime> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _stopping = new(StringComparer.Ordinal);
    private int _nextPodAddress = -1;
    private readonly string _directory = Path.Combine(options.DataDirectory ?? workspace.Directory, "kubelet");
    // Pod IPs are 127.<cluster>.x.y, handed out in order: a second octet of its own keeps two sandboxes on one machine apart.
    public IReadOnlyList<SimulatedNode> Nodes { get; } = NodesOf(options.Nodes, options.NodeLabels, LoopbackRanges.Unused());
    private Dictionary<string, SimulatedNode> ByName => field ??= Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);

    public void Resync(StoreSnapshot snapshot)
    {
        if (Nodes.Count == 0) return;
        foreach (var node in Nodes) Register(node);
        foreach (var pod in snapshot.Of(Pods).Values) Sync(pod);
    }

    public void OnEvent(WatchEvent change)
    {
        if (Nodes.Count == 0 || change.Object is not { StorageKey: Pods } pod) return;
        if (change.Type == WatchEvent.Deleted) _ = StopAsync(pod.Uid);
        else Sync(pod);
    }

    private void Sync(StoredObject stored)
    {
        if (stored.IsDeleting)
        {
            _ = TerminateAsync(stored);
            return;
        }
        if (_running.ContainsKey(stored.Uid)) return;
        var parsed = stored.Parse();
        var nodeName = (string?)parsed["spec"]?["nodeName"];
        if (string.IsNullOrEmpty(nodeName))
        {
            Schedule(stored, parsed);
            return;
        }
        var node = ByName.GetValueOrDefault(nodeName);
        if (node is null || (string?)parsed["status"]?["phase"] is "Succeeded" or "Failed") return;
        var hostNetwork = (bool?)parsed["spec"]?["hostNetwork"] == true;
        var podIp = hostNetwork ? node.Address : node.PodAddress(Interlocked.Increment(ref _nextPodAddress));
        var pod = new PodRuntime(parsed, node, podIp, DirectoryOf(stored), Path.Combine(_directory, "nodes", node.Name), runtime, WriteStatus, service.Clock, logger);
        if (!_running.TryAdd(stored.Uid, pod)) return;
        logger.LogInformation("Starting pod {Namespace}/{Pod} on {Node} at {PodIp}", stored.Namespace, stored.Name, node.Name, podIp);
        pod.Start();
        WriteStatus(pod);
    }

    private string DirectoryOf(StoredObject pod) => Path.Combine(_directory, "pods", $"{pod.Namespace}_{pod.Name}_{pod.Uid[..8]}");

    /// <summary>Where the output of the pod's container is (its current run, or the one before with <paramref name="previous"/>); null when none is known.</summary>
    public ContainerLog? LogOf(StoredObject pod, string container, bool previous)
    {
        if (!_running.TryGetValue(pod.Uid, out var running)) return null;
        var state = running.ContainerStates.FirstOrDefault(c => c.Name == container);
        return previous ? state?.Previous?.Log : state?.Process?.Log;
    }

    private void Schedule(StoredObject stored, JsonObject pod)
    {
        var selector = (pod["spec"]?["nodeSelector"] as JsonObject)?.ToDictionary(p => p.Key, p => (string?)p.Value ?? "") ?? [];
        // Load from the store, not from what runs: pods bound a moment ago have not started yet.
        var load = service.Store.Snapshot().Of(Pods).Values.Select(p => p.Fields.GetValueOrDefault("spec.nodeName") ?? "").Where(n => n.Length > 0)
            .GroupBy(n => n, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var node = Nodes.Where(n => selector.All(s => n.Labels.TryGetValue(s.Key, out var v) && v == s.Value)).OrderBy(n => load.GetValueOrDefault(n.Name)).ThenBy(n => n.Index).FirstOrDefault();
        if (node is null) return;
        pod["spec"]!["nodeName"] = node.Name;
        TryWrite(stored, pod, subresource: null);
    }

    private void WriteStatus(PodRuntime runtime)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var stored = service.Store.FindUid(runtime.Uid) is { } at ? service.Store.Get(at.StorageKey, at.Key) : null;
            if (stored is null || stored.IsDeleting) return;
            var pod = stored.Parse();
            var status = runtime.Status();
            if (pod["status"] is JsonObject old && JsonNode.DeepEquals(old, status)) return;
            pod["status"] = status;
            if (TryWrite(stored, pod, "status")) return;
        }
    }

    private bool TryWrite(StoredObject stored, JsonObject pod, string? subresource)
    {
        var type = service.Catalog.ForStorage(Pods)!;
        try
        {
            service.Update(new RequestScope(type, stored.Namespace, stored.Name, subresource), pod, WriteOptions.System);
            return true;
        }
        catch (ApiException e) when (e.Code is 409 or 404)
        {
            return false;
        }
    }

    private async Task TerminateAsync(StoredObject pod)
    {
        // Every event of a terminating pod lands here; the first one stops it, the others leave it be.
        if (!_stopping.TryAdd(pod.Uid, 0)) return;
        try
        {
            await StopAsync(pod.Uid);
        }
        finally
        {
            _stopping.TryRemove(pod.Uid, out _);
        }
        if (!SimulatedNode.Runs(pod.Fields.GetValueOrDefault("spec.nodeName") ?? "", options.Nodes)) return;
        try
        {
            service.SystemDelete(Pods, pod.Key, DeleteOptions.Now with { PreconditionUid = pod.Uid });
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
            // Gone already, or a new pod of the same name.
        }
    }

    private async Task StopAsync(string uid)
    {
        if (!_running.TryRemove(uid, out var runtime)) return;
        await runtime.DisposeAsync();
    }

    private void Register(SimulatedNode node)
    {
        var type = service.Catalog.ForStorage("nodes")!;
        var now = Timestamps.Format(service.Clock.GetUtcNow());
        var obj = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = node.Name, ["labels"] = new JsonObject([.. node.Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))]) },
            ["spec"] = new JsonObject(),
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True", ["reason"] = "KubeletReady", ["message"] = "sandbox kubelet is posting ready status", ["lastHeartbeatTime"] = now, ["lastTransitionTime"] = now }),
                ["addresses"] = new JsonArray(new JsonObject { ["type"] = "InternalIP", ["address"] = node.Address }, new JsonObject { ["type"] = "Hostname", ["address"] = node.Name }),
                ["nodeInfo"] = new JsonObject { ["kubeletVersion"] = "v1.32.0-sandbox", ["operatingSystem"] = "linux", ["architecture"] = "amd64", ["containerRuntimeVersion"] = runtime.Version },
                ["capacity"] = new JsonObject { ["cpu"] = "2", ["memory"] = "8Gi", ["pods"] = "110" },
                ["allocatable"] = new JsonObject { ["cpu"] = "2", ["memory"] = "8Gi", ["pods"] = "110" },
            },
        };
        if (service.Store.Get("nodes", node.Name) is { } existing)
        {
            var current = existing.Parse();
            current["status"] = obj["status"]!.DeepClone();
            service.Update(new RequestScope(type, "", node.Name, "status"), current, WriteOptions.System);
        }
        else
        {
            service.Create(new RequestScope(type, "", null, null), obj, WriteOptions.System);
        }
    }

    private static List<SimulatedNode> NodesOf(int count, Func<string, IReadOnlyDictionary<string, string>>? extra, int cluster) =>
        [.. Enumerable.Range(1, count).Select(i => new SimulatedNode(SimulatedNode.NameOf(i), i, NodeLabels(SimulatedNode.NameOf(i), extra), cluster))];

    /// <summary>The well-known labels a kubelet sets, then what the sandbox's options add.</summary>
    private static Dictionary<string, string> NodeLabels(string name, Func<string, IReadOnlyDictionary<string, string>>? extra)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["kubernetes.io/hostname"] = name,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64",
        };
        foreach (var (key, value) in extra?.Invoke(name) ?? new Dictionary<string, string>()) labels[key] = value;
        return labels;
    }

    /// <summary>Stops every pod; the workspace deletes the kubelet's directory (one under a data directory stays).</summary>
    public async ValueTask DisposeAsync() => await Task.WhenAll(_running.Keys.ToList().Select(StopAsync));
}
