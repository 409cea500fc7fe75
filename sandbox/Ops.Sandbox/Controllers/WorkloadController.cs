using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Ops.Sandbox.Api;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Controllers;

/// <summary>
/// The DaemonSet and Deployment controllers, small: a DaemonSet gets one pod per node matching its
/// nodeSelector, replaced per its updateStrategy (RollingUpdate within maxUnavailable, or OnDelete:
/// only when deleted), the replacement created once the old pod is gone; a Deployment keeps spec.replicas pods of its current template (pods owned
/// directly, no ReplicaSets). Both report status as their real controllers do.
/// </summary>
internal sealed class WorkloadController(ResourceService service) : BackgroundService, ISandboxController
{
    public const string RevisionLabel = "controller-revision-hash";
    private const string DaemonSets = "daemonsets.apps";
    private const string Deployments = "deployments.apps";

    // Owners to reconcile, by uid (null: every DaemonSet, after a node change). Events only mark them,
    // a loop of its own reconciles: a burst of pod events costs one pass per owner, not one per event.
    private readonly HashSet<string?> _dirty = [];
    private readonly SemaphoreSlim _signal = new(0);

    public void Resync(StoreSnapshot snapshot)
    {
        foreach (var owner in snapshot.Of(DaemonSets).Values.Concat(snapshot.Of(Deployments).Values)) MarkDirty(owner.Uid);
    }

    public void OnEvent(WatchEvent change)
    {
        if (change.Object is not { } obj) return;
        switch (obj.StorageKey)
        {
            case DaemonSets or Deployments: MarkDirty(obj.Uid); break;
            case "pods": foreach (var owner in obj.OwnerUids) MarkDirty(owner); break;
            case "nodes": MarkDirty(null); break;
        }
    }

    private void MarkDirty(string? uid)
    {
        lock (_dirty)
        {
            if (!_dirty.Add(uid)) return;
        }
        _signal.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            List<string?> dirty;
            lock (_dirty)
            {
                dirty = [.. _dirty];
                _dirty.Clear();
            }
            if (dirty.Count == 0) continue;
            try
            {
                Reconcile(dirty);
            }
            catch (ApiException)
            {
                // The namespace went away meanwhile, or similar: the next event brings us back.
            }
        }
    }

    private void Reconcile(List<string?> dirty)
    {
        var snapshot = service.Store.Snapshot();
        var podsByOwner = snapshot.Of("pods").Values.SelectMany(p => p.OwnerUids.Select(o => (Owner: o, Pod: p))).ToLookup(x => x.Owner, x => x.Pod, StringComparer.Ordinal);
        var nodes = snapshot.Of("nodes").Values.ToList();
        var allDaemonSets = dirty.Contains(null);
        foreach (var ds in snapshot.Of(DaemonSets).Values.Where(d => !d.IsDeleting && (allDaemonSets || dirty.Contains(d.Uid)))) DaemonSet(ds, [.. podsByOwner[ds.Uid]], nodes);
        foreach (var deployment in snapshot.Of(Deployments).Values.Where(d => !d.IsDeleting && dirty.Contains(d.Uid))) Deployment(deployment, [.. podsByOwner[deployment.Uid]]);
    }

    private void DaemonSet(StoredObject stored, List<StoredObject> owned, List<StoredObject> nodes)
    {
        var ds = stored.Parse();
        var template = ds["spec"]?["template"] as JsonObject ?? [];
        var revision = Revision(template);
        var selector = (template["spec"]?["nodeSelector"] as JsonObject)?.ToDictionary(p => p.Key, p => (string?)p.Value ?? "") ?? [];
        var eligible = nodes.Where(n => !n.IsDeleting && selector.All(s => n.Labels.TryGetValue(s.Key, out var v) && v == s.Value)).Select(n => n.Name).ToList();
        var live = owned.Where(p => !p.IsDeleting).ToList();
        // Readiness is read from each pod's status once per pass, not once per question.
        var ready = live.Where(IsReady).ToHashSet();
        // As the real controller does, a node's next pod waits until its terminating one is gone (hostPort, hostNetwork).
        var occupied = owned.Select(NodeOf).ToHashSet(StringComparer.Ordinal);
        foreach (var node in eligible.Where(n => !occupied.Contains(n)))
        {
            CreatePod(stored, ds, template, revision, $"{stored.Name}-", node);
        }
        foreach (var pod in live.Where(p => !eligible.Contains(NodeOf(p)))) service.SystemDelete("pods", pod.Key);

        var strategy = (string?)ds["spec"]?["updateStrategy"]?["type"] ?? "RollingUpdate";
        if (strategy == "RollingUpdate")
        {
            var maxUnavailable = Count(ds["spec"]?["updateStrategy"]?["rollingUpdate"]?["maxUnavailable"], eligible.Count, 1);
            var unavailable = eligible.Count - ready.Count;
            foreach (var old in live.Where(p => p.Labels.GetValueOrDefault(RevisionLabel) != revision).OrderBy(ready.Contains).ThenBy(p => p.Name, StringComparer.Ordinal))
            {
                if (!ready.Contains(old)) { service.SystemDelete("pods", old.Key); continue; }
                if (unavailable >= maxUnavailable) break;
                service.SystemDelete("pods", old.Key);
                unavailable++;
            }
        }
        WriteStatus(stored, new JsonObject
        {
            ["desiredNumberScheduled"] = eligible.Count,
            ["currentNumberScheduled"] = live.Count,
            ["numberMisscheduled"] = 0,
            ["numberReady"] = ready.Count,
            ["numberAvailable"] = ready.Count,
            ["numberUnavailable"] = Math.Max(0, eligible.Count - ready.Count),
            ["updatedNumberScheduled"] = live.Count(p => p.Labels.GetValueOrDefault(RevisionLabel) == revision),
            ["observedGeneration"] = (long?)ds["metadata"]?["generation"] ?? 1,
        });
    }

    private void Deployment(StoredObject stored, List<StoredObject> owned)
    {
        var deployment = stored.Parse();
        var template = deployment["spec"]?["template"] as JsonObject ?? [];
        var revision = Revision(template);
        var replicas = (int?)deployment["spec"]?["replicas"] ?? 1;
        var live = owned.Where(p => !p.IsDeleting).ToList();
        // A changed template replaces the pods (Recreate); the operator and the sample app need no more.
        foreach (var old in live.Where(p => p.Labels.GetValueOrDefault(RevisionLabel) != revision)) service.SystemDelete("pods", old.Key);
        var current = live.Where(p => p.Labels.GetValueOrDefault(RevisionLabel) == revision).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        for (var i = current.Count; i < replicas; i++) CreatePod(stored, deployment, template, revision, $"{stored.Name}-{revision}-", node: null);
        foreach (var extra in current.Skip(replicas)) service.SystemDelete("pods", extra.Key);
        var ready = current.Take(replicas).Count(IsReady);
        WriteStatus(stored, new JsonObject
        {
            ["replicas"] = Math.Min(current.Count, replicas),
            ["updatedReplicas"] = Math.Min(current.Count, replicas),
            ["readyReplicas"] = ready,
            ["availableReplicas"] = ready,
            ["observedGeneration"] = (long?)deployment["metadata"]?["generation"] ?? 1,
        });
    }

    private void CreatePod(StoredObject owner, JsonObject ownerObj, JsonObject template, string revision, string generateName, string? node)
    {
        var metadata = template["metadata"]?.DeepClone() as JsonObject ?? [];
        var labels = metadata["labels"] as JsonObject ?? [];
        labels[RevisionLabel] = revision;
        metadata["labels"] = labels;
        metadata["generateName"] = generateName;
        metadata["namespace"] = owner.Namespace;
        metadata["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = (string?)ownerObj["apiVersion"], ["kind"] = (string?)ownerObj["kind"], ["name"] = owner.Name, ["uid"] = owner.Uid,
            ["controller"] = true, ["blockOwnerDeletion"] = true,
        });
        var spec = template["spec"]?.DeepClone() as JsonObject ?? [];
        if (node is not null) spec["nodeName"] = node;
        var pod = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = metadata, ["spec"] = spec };
        try
        {
            service.Create(new RequestScope(service.Catalog.ForStorage("pods")!, owner.Namespace, null, null), pod, WriteOptions.System);
        }
        catch (ApiException e) when (e.Code == 403 && e.Message.Contains("error looking up service account", StringComparison.Ordinal))
        {
            // A namespace's default ServiceAccount comes a moment after the namespace: try again shortly, as a
            // ReplicaSet controller retries with backoff.
            _ = RetryAsync(owner.Uid);
        }
        catch (ApiException e) when (e.Code is 403 or 409 or 422)
        {
            // The namespace is terminating, or the template is invalid: nothing to run.
        }
    }

    private async Task RetryAsync(string ownerUid)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(500), service.Clock);
        MarkDirty(ownerUid);
    }

    private void WriteStatus(StoredObject stored, JsonObject status)
    {
        var obj = stored.Parse();
        if (obj["status"] is JsonObject old && JsonNode.DeepEquals(old, status)) return;
        obj["status"] = status;
        try
        {
            service.Update(new RequestScope(service.Catalog.ForStorage(stored.StorageKey)!, stored.Namespace, stored.Name, "status"), obj, WriteOptions.System);
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
            // Changed meanwhile: the change's own event brings us back.
        }
    }

    private static string NodeOf(StoredObject pod) => pod.Fields.GetValueOrDefault("spec.nodeName") ?? "";

    private static bool IsReady(StoredObject pod) =>
        (pod.Parse()["status"]?["conditions"] as JsonArray)?.Any(c => (string?)c?["type"] == "Ready" && (string?)c?["status"] == "True") == true;

    private static string Revision(JsonObject template) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(template.ToJsonString())))[..10].ToLowerInvariant();

    private static int Count(JsonNode? value, int total, int fallback) => value switch
    {
        JsonValue v when v.TryGetValue<int>(out var n) => Math.Max(1, n),
        JsonValue v when v.TryGetValue<string>(out var s) && s.EndsWith('%') && int.TryParse(s[..^1], out var p) => Math.Max(1, total * p / 100),
        _ => fallback,
    };
}
