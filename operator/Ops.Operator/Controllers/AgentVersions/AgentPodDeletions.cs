using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Informers;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// The agent pods the rollout deleted that the pod informer has not yet seen go (ReplicaSet's
/// "expectations"). The rollout reads its fleet from the informer's cache, which lags the API by a
/// watch event: a pod deleted a moment ago can still look Ready there, and counting it as available
/// would let the next reconcile delete more agents than maxUnavailable allows. Until the informer sees
/// the deletion (the pod gone or marked for deletion), such a pod is treated as gone.
/// </summary>
public sealed class AgentPodDeletions(TimeProvider clock)
{
    /// <summary>How long a deletion is expected before it is given up on (a lost watch event; the informer's relist repairs the cache).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _expected = new(StringComparer.Ordinal);

    /// <summary>Deletions the informer has not seen yet.</summary>
    public int Count => _expected.Count;

    /// <summary>Called before the pod's deletion is sent, so the informer cannot report it before it is expected.</summary>
    public void Expect(string podUid) => _expected[podUid] = clock.GetUtcNow();

    /// <summary>The deletion was not made (the call failed before the API server could act on it).</summary>
    public void Cancel(string podUid) => _expected.TryRemove(podUid, out _);

    /// <summary>Whether the pod was deleted by the rollout and its cached copy is not to be believed.</summary>
    public bool IsPending(string podUid)
    {
        if (!_expected.TryGetValue(podUid, out var since)) return false;
        if (clock.GetUtcNow() - since < Timeout) return true;
        _expected.TryRemove(KeyValuePair.Create(podUid, since));
        return false;
    }

    /// <summary>The pod informer's events: a pod gone, or marked for deletion, is no longer expected to go.</summary>
    public void Observe(ResourceEvent<V1Pod> change)
    {
        if (change.Type == WatchEventType.Deleted || change.Object.Metadata.DeletionTimestamp is not null) Cancel(change.Object.Metadata.Uid);
    }
}
