using System.Text.Json.Nodes;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Api;

internal sealed partial class ResourceService
{
    public const string OrphanFinalizer = "orphan";
    public const string ForegroundFinalizer = "foregroundDeletion";

    public ApiResult Delete(RequestScope scope, DeleteOptions options) => store.Write(w =>
    {
        var existing = w.Get(scope.Type.StorageKey, scope.Key) ?? throw ApiException.NotFound(scope.Type, scope.Name ?? "");
        return DeleteCore(w, scope.Type, existing, options);
    });

    public IReadOnlyList<ApiResult> DeleteCollection(RequestScope scope, ListOptions list, DeleteOptions options)
    {
        var targets = List(scope, list with { Limit = 0, Continue = null }).Items;
        var results = new List<ApiResult>();
        foreach (var target in targets)
        {
            var result = store.Write(w => w.Get(target.StorageKey, target.Key) is { } current ? DeleteCore(w, scope.Type, current, options) : null);
            if (result is not null) results.Add(result);
        }
        return results;
    }

    /// <summary>
    /// Deletes at once when nothing holds the object, otherwise marks it with deletionTimestamp and
    /// leaves it until its finalizers are removed, or, for a pod running on a node, until the kubelet
    /// has stopped it (graceful deletion). Orphan and Foreground propagation add their finalizers for
    /// the garbage collector, as on a real cluster.
    /// </summary>
    internal ApiResult DeleteCore(ObjectStore.StoreWriter w, ResourceType type, StoredObject existing, DeleteOptions options)
    {
        if (options.PreconditionUid is { Length: > 0 } uid && uid != existing.Uid)
        {
            throw ApiException.Conflict(type, existing.Name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {existing.Uid}");
        }
        if (options.PreconditionResourceVersion is { Length: > 0 } rv && rv != existing.ResourceVersion.ToString())
        {
            throw ApiException.Conflict(type, existing.Name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {existing.ResourceVersion}");
        }
        if (options.PropagationPolicy is { } policy && policy is not ("Orphan" or "Background" or "Foreground"))
        {
            throw ApiException.Invalid(type, existing.Name, [FieldError.NotSupported("propagationPolicy", $"\"{policy}\"", ["\"Foreground\"", "\"Background\"", "\"Orphan\"", "nil"])]);
        }

        var obj = existing.Parse();
        var metadata = MetadataOf(obj);
        var finalizers = Finalizers(metadata);
        var before = finalizers.Count;
        if (options.PropagationPolicy == "Orphan" && !finalizers.Contains(OrphanFinalizer)) finalizers.Add(OrphanFinalizer);
        if (options.PropagationPolicy == "Foreground" && !finalizers.Contains(ForegroundFinalizer)) finalizers.Add(ForegroundFinalizer);
        var isNamespace = type.StorageKey == BuiltInResources.NamespaceStorageKey;
        // A graceful deletion in progress is left to finish unless the caller asks for less time (a force delete).
        var grace = StrategyFor(type.StorageKey)?.GracePeriodSeconds(obj, options) is > 0 and var seconds
            && (metadata["deletionTimestamp"] is null || options.GracePeriodSeconds is null || options.GracePeriodSeconds >= (long?)metadata["deletionGracePeriodSeconds"])
            ? seconds : 0;

        if (finalizers.Count > 0 || isNamespace || grace > 0)
        {
            var changed = finalizers.Count != before;
            if (metadata["deletionTimestamp"] is null)
            {
                metadata["deletionTimestamp"] = Timestamps.Format(clock.GetUtcNow().AddSeconds(grace));
                metadata["deletionGracePeriodSeconds"] = grace;
                if ((long?)metadata["generation"] is > 0 and var generation) metadata["generation"] = generation + 1;
                if (isNamespace) obj["status"] = new JsonObject { ["phase"] = "Terminating" };
                changed = true;
            }
            if (finalizers.Count > 0) metadata["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode?)f)]);
            var marked = changed && !options.DryRun ? w.Put(type.StorageKey, obj, FieldsOf(type.StorageKey)) : existing;
            return new ApiResult(changed && options.PropagationPolicy == "Foreground" ? 202 : 200, marked);
        }
        if (options.DryRun) return new ApiResult(200, existing);
        var removed = w.Remove(existing, FieldsOf(type.StorageKey));
        return type.ReturnsDeletedObject
            ? new ApiResult(200, removed)
            : new ApiResult(200, null, StatusBody.Success(type, existing.Name, existing.Uid));
    }

    /// <summary>A write by the sandbox's own controllers: no validation, and only a real change is written.</summary>
    internal void SystemUpdate(string storageKey, string key, Func<JsonObject, bool> mutate) => store.Write(w =>
    {
        var existing = w.Get(storageKey, key);
        if (existing is null) return false;
        var obj = existing.Parse();
        if (!mutate(obj)) return false;
        var metadata = MetadataOf(obj);
        if (metadata["deletionTimestamp"] is not null && Finalizers(metadata).Count == 0 && storageKey != BuiltInResources.NamespaceStorageKey)
        {
            w.Remove(existing, FieldsOf(storageKey), obj);
        }
        else
        {
            w.Put(storageKey, obj, FieldsOf(storageKey));
        }
        return true;
    });

    /// <summary>Deletes as a controller would, with background propagation; absent objects are fine.</summary>
    internal void SystemDelete(string storageKey, string key, DeleteOptions? options = null) => store.Write(w =>
    {
        var existing = w.Get(storageKey, key);
        var type = catalog.ForStorage(storageKey);
        return existing is null || type is null ? null : DeleteCore(w, type, existing, options ?? DeleteOptions.Background);
    });

    /// <summary>Deletes, as a controller would, each object not already being deleted (the content of a terminating owner).</summary>
    internal void SystemDeleteEach(IEnumerable<StoredObject> objects)
    {
        foreach (var obj in objects.Where(o => !o.IsDeleting)) SystemDelete(obj.StorageKey, obj.Key);
    }

    /// <summary>Removes an object whose own lifecycle is finished (a namespace emptied of content).</summary>
    internal void SystemRemove(string storageKey, string key) => store.Write(w =>
    {
        var existing = w.Get(storageKey, key);
        return existing is null ? null : w.Remove(existing, FieldsOf(storageKey));
    });
}
