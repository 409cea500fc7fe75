using k8s;
using k8s.Models;

namespace Ops.ControllerRuntime.Client;

/// <summary>
/// Status written only on a real change: the change is applied to a copy (observedGeneration set,
/// conditions present), and the copy goes through /status only when it serializes differently. An
/// unchanged status therefore costs no API write, however often a reconcile runs.
/// </summary>
public static class StatusChanges
{
    /// <summary>Returns the object as stored (the given one when nothing changed, null when it is gone) and whether it was written.</summary>
    public static async Task<(T? Stored, bool Written)> ChangeStatusAsync<T, TStatus>(this CustomResourceClient<T> client, T obj, Action<TStatus> change, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>, IStatus<TStatus?>
        where TStatus : class, IControllerStatus, new()
    {
        var before = obj.Status is null ? "" : KubernetesJson.Serialize(obj.Status);
        var next = before.Length == 0 ? new TStatus() : KubernetesJson.Deserialize<TStatus>(before);
        next.Conditions ??= [];
        next.ObservedGeneration = obj.Metadata.Generation;
        change(next);
        if (KubernetesJson.Serialize(next) == before) return (obj, false);
        var stored = await client.ReplaceStatusAsync(obj, o => o.Status = next, cancellationToken);
        return (stored, stored is not null);
    }
}
