using System.Text.Json.Nodes;
using Ops.Sandbox.Api;
using Ops.Sandbox.Storage;
using Ops.Sandbox.Strategies;

namespace Ops.Sandbox.Controllers;

/// <summary>
/// Finishes a CRD's deletion as the apiextensions server does: marks it Terminating, deletes every
/// custom resource it serves (each may wait on its own finalizers), then releases the CRD.
/// </summary>
internal sealed class CrdController(ResourceService service) : ISandboxController
{
    public void Resync(StoreSnapshot snapshot)
    {
        foreach (var crd in snapshot.Of(BuiltInResources.CrdStorageKey).Values)
        {
            if (crd.IsDeleting) Drain(crd);
        }
    }

    public void OnEvent(WatchEvent change)
    {
        if (change.Object is not { } obj) return;
        if (obj.StorageKey == BuiltInResources.CrdStorageKey)
        {
            if (change.Type != WatchEvent.Deleted && obj.IsDeleting) Drain(obj);
            return;
        }
        if (change.Type == WatchEvent.Deleted && service.Store.Get(BuiltInResources.CrdStorageKey, obj.StorageKey) is { IsDeleting: true } crd)
        {
            Drain(crd);
        }
    }

    private void Drain(StoredObject crd)
    {
        // A CRD's name is plural.group, which is also the storage key of its resources.
        var instances = service.Store.Snapshot().Of(crd.Name).Values.ToList();
        if (instances.Count == 0)
        {
            service.SystemUpdate(BuiltInResources.CrdStorageKey, crd.Key, o => GarbageCollector.RemoveFinalizer(o, CrdStrategy.CleanupFinalizer));
            return;
        }
        service.SystemUpdate(BuiltInResources.CrdStorageKey, crd.Key, MarkTerminating);
        service.SystemDeleteEach(instances);
    }

    private bool MarkTerminating(JsonObject crd)
    {
        if (crd["status"] is not JsonObject status) crd["status"] = status = [];
        if (status["conditions"] is not JsonArray conditions) status["conditions"] = conditions = [];
        if (conditions.Any(c => (string?)c?["type"] == "Terminating")) return false;
        conditions.Add(new JsonObject
        {
            ["type"] = "Terminating",
            ["status"] = "True",
            ["reason"] = "InstanceDeletionInProgress",
            ["message"] = "CustomResource deletion is in progress",
            ["lastTransitionTime"] = Timestamps.Format(service.Now),
        });
        return true;
    }
}
