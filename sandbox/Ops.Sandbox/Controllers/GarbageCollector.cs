using System.Text.Json.Nodes;
using Ops.Sandbox.Api;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Controllers;

/// <summary>
/// Deletes objects whose owners are all gone (when the owner goes, or when such an object is created), drops references to deleted owners from objects that
/// still have a live one, and finishes Foreground (dependents first) and Orphan (dependents released)
/// deletions by removing their finalizers.
/// </summary>
internal sealed class GarbageCollector(ResourceService service) : ISandboxController
{
    private ObjectStore Store => service.Store;

    public void Resync(StoreSnapshot snapshot)
    {
        foreach (var obj in snapshot.Objects.Values.SelectMany(o => o.Values))
        {
            if (obj.OwnerUids.Any(uid => Store.FindUid(uid) is null)) Collect(obj);
            HandleDeleting(obj);
        }
    }

    public void OnEvent(WatchEvent change)
    {
        if (change.Object is not { } obj) return;
        if (change.Type == WatchEvent.Deleted)
        {
            foreach (var (storageKey, key) in Store.DependentsOf(obj.Uid))
            {
                if (Store.Get(storageKey, key) is { } dependent) Collect(dependent);
            }
            foreach (var ownerUid in obj.OwnerUids)
            {
                if (Store.FindUid(ownerUid) is { } owner && Store.Get(owner.StorageKey, owner.Key) is { } ownerObj) HandleDeleting(ownerObj);
            }
            return;
        }
        // A dependent written after its owners were deleted (or naming owners that never existed) is collected too.
        if (change.Type == WatchEvent.Added && obj.OwnerUids.Count > 0 && obj.OwnerUids.All(uid => Store.FindUid(uid) is null)) Collect(obj);
        else HandleDeleting(obj);
    }

    private void Collect(StoredObject dependent)
    {
        var alive = dependent.OwnerUids.Where(uid => Store.FindUid(uid) is not null).ToHashSet();
        if (alive.Count == 0)
        {
            service.SystemDelete(dependent.StorageKey, dependent.Key);
            return;
        }
        service.SystemUpdate(dependent.StorageKey, dependent.Key, o => RemoveOwnerReferences(o, uid => uid is null || !alive.Contains(uid)));
    }

    private void HandleDeleting(StoredObject obj)
    {
        var parsed = obj.Parse();
        if (parsed["metadata"]?["deletionTimestamp"] is null || parsed["metadata"]?["finalizers"] is not JsonArray finalizers) return;
        var names = finalizers.Select(f => (string?)f).ToList();
        if (names.Contains(ResourceService.OrphanFinalizer))
        {
            foreach (var (storageKey, key) in Store.DependentsOf(obj.Uid))
            {
                service.SystemUpdate(storageKey, key, o => RemoveOwnerReferences(o, uid => uid == obj.Uid));
            }
            service.SystemUpdate(obj.StorageKey, obj.Key, o => RemoveFinalizer(o, ResourceService.OrphanFinalizer));
        }
        if (names.Contains(ResourceService.ForegroundFinalizer))
        {
            var dependents = Store.DependentsOf(obj.Uid);
            if (dependents.Count == 0)
            {
                service.SystemUpdate(obj.StorageKey, obj.Key, o => RemoveFinalizer(o, ResourceService.ForegroundFinalizer));
                return;
            }
            foreach (var (storageKey, key) in dependents) service.SystemDelete(storageKey, key, new DeleteOptions("Foreground"));
        }
    }

    private static bool RemoveOwnerReferences(JsonObject obj, Func<string?, bool> remove)
    {
        if (obj["metadata"]?["ownerReferences"] is not JsonArray owners) return false;
        var kept = owners.Where(o => !remove((string?)o?["uid"])).Select(o => o?.DeepClone()).ToList();
        if (kept.Count == owners.Count) return false;
        var metadata = obj["metadata"]!.AsObject();
        if (kept.Count == 0) metadata.Remove("ownerReferences");
        else metadata["ownerReferences"] = new JsonArray([.. kept]);
        return true;
    }

    internal static bool RemoveFinalizer(JsonObject obj, string finalizer)
    {
        if (obj["metadata"]?["finalizers"] is not JsonArray finalizers) return false;
        var kept = finalizers.Where(f => (string?)f != finalizer).Select(f => f?.DeepClone()).ToList();
        if (kept.Count == finalizers.Count) return false;
        var metadata = obj["metadata"]!.AsObject();
        if (kept.Count == 0) metadata.Remove("finalizers");
        else metadata["finalizers"] = new JsonArray([.. kept]);
        return true;
    }
}
