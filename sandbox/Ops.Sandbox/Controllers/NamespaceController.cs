using System.Text.Json.Nodes;
using Ops.Sandbox.Api;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Controllers;

/// <summary>
/// Gives every new namespace its default ServiceAccount and the kube-root-ca.crt ConfigMap (the API server's CA,
/// which pods' service account volumes project as ca.crt), as the service account and root CA publisher
/// controllers do; and empties a terminating namespace: deletes its content (which may wait on finalizers) and
/// removes the namespace once nothing is left.
/// </summary>
internal sealed class NamespaceController(ResourceService service, Security.SandboxCertificates certificates) : ISandboxController
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
            else if (change.Type == WatchEvent.Added) EnsureDefaults(obj.Name);
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

    /// <summary>The namespace's default ServiceAccount and root CA ConfigMap, when missing (the sandbox's own namespaces get them at start).</summary>
    public void EnsureDefaults(string ns)
    {
        Ensure("serviceaccounts", ns, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject { ["name"] = "default", ["namespace"] = ns },
        });
        Ensure("configmaps", ns, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = RootCaConfigMap, ["namespace"] = ns },
            ["data"] = new JsonObject { ["ca.crt"] = certificates.CaPem },
        });
    }

    /// <summary>The ConfigMap of every namespace holding the API server's CA.</summary>
    public const string RootCaConfigMap = "kube-root-ca.crt";

    private void Ensure(string storageKey, string ns, JsonObject obj)
    {
        if (service.Store.Get(storageKey, StoredObject.KeyOf(ns, (string)obj["metadata"]!["name"]!)) is not null) return;
        try
        {
            service.Create(new RequestScope(service.Catalog.ForStorage(storageKey)!, ns, null, null), obj, WriteOptions.System);
        }
        catch (ApiException e) when (e.Code is 409 or 403 or 404)
        {
            // Created meanwhile, or the namespace is already going away.
        }
    }
}
