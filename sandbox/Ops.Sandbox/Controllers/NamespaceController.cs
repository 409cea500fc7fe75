using System.Text.Json.Nodes;
using Ops.Sandbox.Api;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Controllers;

/// <summary>
/// Gives every new namespace its default ServiceAccount, and empties a terminating namespace:
/// deletes its content (which may wait on finalizers) and removes the namespace once nothing is left.
/// </summary>
internal sealed class NamespaceController(ResourceService service) : ISandboxController
{
    public void Resync(StoreSnapshot snapshot)
    {
        foreach (var ns in snapshot.Of(BuiltInResources.NamespaceStorageKey).Values)
        {
            if (ns.IsDeleting) Drain(ns.Name);
        }
    }

    public void OnEvent(WatchEvent change)
    {
        if (change.Object is not { } obj) return;
        if (obj.StorageKey == BuiltInResources.NamespaceStorageKey)
        {
            if (change.Type == WatchEvent.Deleted) return;
            if (obj.IsDeleting) Drain(obj.Name);
            else if (change.Type == WatchEvent.Added) EnsureDefaultServiceAccount(obj.Name);
            return;
        }
        if (change.Type == WatchEvent.Deleted && obj.Namespace.Length > 0
            && service.Store.Get(BuiltInResources.NamespaceStorageKey, obj.Namespace) is { IsDeleting: true })
        {
            Drain(obj.Namespace);
        }
    }

    private void Drain(string ns)
    {
        var content = service.Store.Snapshot().Objects.Values.SelectMany(o => o.Values).Where(o => o.Namespace == ns).ToList();
        if (content.Count == 0)
        {
            service.SystemRemove(BuiltInResources.NamespaceStorageKey, ns);
            return;
        }
        service.SystemDeleteEach(content);
    }

    private void EnsureDefaultServiceAccount(string ns)
    {
        if (service.Store.Get("serviceaccounts", StoredObject.KeyOf(ns, "default")) is not null) return;
        var type = service.Catalog.ForStorage("serviceaccounts")!;
        var account = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject { ["name"] = "default", ["namespace"] = ns },
        };
        try
        {
            service.Create(new RequestScope(type, ns, null, null), account, WriteOptions.System);
        }
        catch (ApiException e) when (e.Code is 409 or 403 or 404)
        {
            // Created meanwhile, or the namespace is already going away.
        }
    }
}
