using System.Text.Json.Nodes;
using Ops.Sandbox.Patching;
using Ops.Sandbox.Storage;
using Ops.Sandbox.Validation;

namespace Ops.Sandbox.Api;

internal sealed partial class ResourceService
{
    private const string GenerateNameChars = "bcdfghjklmnpqrstvwxz2456789";

    public ApiResult Create(RequestScope scope, JsonNode? body, WriteOptions options)
    {
        var obj = RequireObject(body, scope.Type);
        return store.Write(w => CreateCore(w, scope, obj, options, applied: false));
    }

    public ApiResult Update(RequestScope scope, JsonNode? body, WriteOptions options)
    {
        var type = scope.Type;
        var candidate = RequireObject(body, type);
        var metadata = MetadataOf(candidate);
        var name = (string?)metadata["name"];
        if (name != scope.Name) throw ApiException.BadRequest($"the name of the object ({name}) does not match the name on the URL ({scope.Name})");
        CheckNamespace(scope, metadata);
        candidate = type.Converter.ToStorage(candidate, type);
        return store.Write(w =>
        {
            var old = w.Get(type.StorageKey, scope.Key) ?? throw ApiException.NotFound(type, scope.Name!);
            var oldObj = old.Parse();
            var rv = (string?)metadata["resourceVersion"];
            if (string.IsNullOrEmpty(rv))
            {
                if (!type.AllowUnconditionalUpdate) throw ApiException.Invalid(type, scope.Name!, [FieldError.Invalid("metadata.resourceVersion", "0x0", "must be specified for an update")]);
            }
            else if (rv != old.ResourceVersion.ToString())
            {
                throw ApiException.Conflict(type, scope.Name!, "the object has been modified; please apply your changes to the latest version and try again");
            }
            if ((string?)metadata["uid"] is { Length: > 0 } uid && uid != old.Uid)
            {
                throw ApiException.Conflict(type, scope.Name!, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {old.Uid}");
            }
            return Commit(w, scope, old, oldObj, candidate, options, applied: false);
        });
    }

    private ApiResult CreateCore(ObjectStore.StoreWriter w, RequestScope scope, JsonObject obj, WriteOptions options, bool applied)
    {
        var type = scope.Type;
        var metadata = MetadataOf(obj);
        CheckNamespace(scope, metadata);
        if (type.Namespaced) metadata["namespace"] = scope.Namespace;
        else metadata.Remove("namespace");
        if (!string.IsNullOrEmpty((string?)metadata["resourceVersion"])) throw ApiException.BadRequest("resourceVersion should not be set on objects to be created");
        if (string.IsNullOrEmpty((string?)metadata["name"]) && (string?)metadata["generateName"] is { Length: > 0 } prefix)
        {
            metadata["name"] = prefix + new string([.. Enumerable.Range(0, 5).Select(_ => GenerateNameChars[Random.Shared.Next(GenerateNameChars.Length)])]);
        }
        var name = (string?)metadata["name"] ?? "";
        obj = type.Converter.ToStorage(obj, type);
        metadata = MetadataOf(obj);

        var now = clock.GetUtcNow();
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = Timestamps.Format(now);
        metadata.Remove("deletionTimestamp");
        metadata.Remove("deletionGracePeriodSeconds");
        metadata.Remove("selfLink");
        if (type.HasGeneration) metadata["generation"] = 1;
        else metadata.Remove("generation");
        if (type.IsCustom && type.HasStatusSubresource) obj.Remove("status");
        StrategyFor(type.StorageKey)?.PrepareForCreate(obj, now);

        var warnings = Validate(type, obj, null, options, name);
        if (!applied) ManagedFields.RecordUpdate(null, obj, options.Manager, type.ApiVersion, "", Timestamps.Format(now));

        if (type.Namespaced) CheckNamespaceAcceptsCreates(w, scope.Namespace);
        if (type.IsCustom) CheckDefinitionAcceptsCreates(w, type);
        if (w.Get(type.StorageKey, StoredObject.KeyOf(type.Namespaced ? scope.Namespace : "", name)) is not null) throw ApiException.AlreadyExists(type, name);
        return new ApiResult(201, Persist(w, type, obj, name, options.DryRun)) { Warnings = warnings };
    }

    /// <summary>The shared tail of update, patch and apply: merge with what is stored, validate, and write only a real change.</summary>
    private ApiResult Commit(ObjectStore.StoreWriter w, RequestScope scope, StoredObject old, JsonObject oldObj, JsonObject candidate, WriteOptions options, bool applied)
    {
        var type = scope.Type;
        var oldMetadata = MetadataOf(oldObj);
        JsonObject next;
        if (scope.Subresource == "status")
        {
            next = oldObj.DeepClone().AsObject();
            if (candidate["status"] is { } status) next["status"] = status.DeepClone();
            else next.Remove("status");
            if (applied) MetadataOf(next)["managedFields"] = candidate["metadata"]?["managedFields"]?.DeepClone();
        }
        else
        {
            next = candidate;
            if (type.HasStatusSubresource)
            {
                if (oldObj["status"] is { } status) next["status"] = status.DeepClone();
                else next.Remove("status");
            }
            var metadata = MetadataOf(next);
            foreach (var immutable in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "name", "namespace" })
            {
                if (oldMetadata[immutable] is { } value) metadata[immutable] = value.DeepClone();
                else metadata.Remove(immutable);
            }
            if (!applied) metadata["managedFields"] = oldMetadata["managedFields"]?.DeepClone();
            StrategyFor(type.StorageKey)?.PrepareForUpdate(next, oldObj);
        }
        var nextMetadata = MetadataOf(next);
        nextMetadata["resourceVersion"] = old.ResourceVersion.ToString();

        if (oldMetadata["deletionTimestamp"] is not null && Finalizers(nextMetadata).Except(Finalizers(oldMetadata)).Any())
        {
            throw ApiException.Invalid(type, old.Name, [FieldError.Forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted")]);
        }
        var warnings = Validate(type, next, oldObj, options, old.Name);
        var now = clock.GetUtcNow();
        if (!applied) ManagedFields.RecordUpdate(oldObj, next, options.Manager, type.ApiVersion, scope.Subresource ?? "", Timestamps.Format(now));
        if (type.HasGeneration && SpecChanged(oldObj, next)) nextMetadata["generation"] = ((long?)oldMetadata["generation"] ?? 0) + 1;

        if (JsonNode.DeepEquals(oldObj, next)) return new ApiResult(200, old) { Warnings = warnings };
        if (options.DryRun) return new ApiResult(200, Persist(w, type, next, old.Name, dryRun: true)) { Warnings = warnings };
        if (nextMetadata["deletionTimestamp"] is not null && Finalizers(nextMetadata).Count == 0 && type.StorageKey != BuiltInResources.NamespaceStorageKey)
        {
            // The last finalizer removed from a deleting object deletes it: watchers see one DELETED with the final state.
            return new ApiResult(200, w.Remove(old, FieldsOf(type.StorageKey), next)) { Warnings = warnings };
        }
        return new ApiResult(200, Persist(w, type, next, old.Name, dryRun: false)) { Warnings = warnings };
    }

    /// <summary>Metadata, strategy and schema checks; unknown fields are errors under Strict and warnings under Warn.</summary>
    private List<string> Validate(ResourceType type, JsonObject obj, JsonObject? old, WriteOptions options, string name)
    {
        var errors = new List<FieldError>();
        ObjectMetaValidator.Validate(type, MetadataOf(obj), errors);
        StrategyFor(type.StorageKey)?.Validate(obj, old, errors);
        var unknown = new List<string>();
        ObjectMetaShape.PruneUnknown(obj, unknown);
        type.Schema?.Apply(obj, errors, unknown);
        if (errors.Count > 0) throw ApiException.Invalid(type, name, errors);
        if (unknown.Count == 0 || options.FieldValidation == "Ignore") return [];
        var messages = unknown.Select(u => $"unknown field \"{u}\"").ToList();
        if (options.FieldValidation == "Strict") throw ApiException.BadRequest("strict decoding error: " + string.Join(", ", messages));
        return messages;
    }

    private static bool SpecChanged(JsonObject old, JsonObject next)
    {
        static JsonObject Strip(JsonObject o)
        {
            var copy = o.DeepClone().AsObject();
            copy.Remove("metadata");
            copy.Remove("status");
            return copy;
        }
        return !JsonNode.DeepEquals(Strip(old), Strip(next));
    }

    /// <summary>
    /// The body must be an object of the addressed kind. Like the API server's decoder, missing kind
    /// and apiVersion default to the ones the URL names; different ones are a 400.
    /// </summary>
    internal static JsonObject RequireObject(JsonNode? body, ResourceType type)
    {
        if (body is not JsonObject obj) throw ApiException.BadRequest("the body of the request must be a JSON object");
        var kind = obj["kind"] is JsonValue k && k.TryGetValue<string>(out var kindText) ? kindText : obj["kind"] is null ? null : throw ApiException.BadRequest("kind must be a string");
        var apiVersion = obj["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var versionText) ? versionText : obj["apiVersion"] is null ? null : throw ApiException.BadRequest("apiVersion must be a string");
        if (string.IsNullOrEmpty(kind)) obj["kind"] = type.Kind;
        else if (kind != type.Kind) throw ApiException.BadRequest($"the kind of the object ({kind}) does not match the kind of the resource ({type.Kind})");
        if (string.IsNullOrEmpty(apiVersion)) obj["apiVersion"] = type.ApiVersion;
        else if (apiVersion != type.ApiVersion) throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        ObjectMetaShape.Check(obj);
        return obj;
    }

    private static void CheckNamespace(RequestScope scope, JsonObject metadata)
    {
        var ns = (string?)metadata["namespace"];
        if (scope.Type.Namespaced && !string.IsNullOrEmpty(ns) && ns != scope.Namespace)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    private static void CheckNamespaceAcceptsCreates(ObjectStore.StoreWriter w, string ns)
    {
        var found = w.Get(BuiltInResources.NamespaceStorageKey, ns);
        if (found is null) throw new ApiException(404, "NotFound", $"namespaces \"{ns}\" not found", new JsonObject { ["name"] = ns, ["kind"] = "namespaces" });
        if (found.IsDeleting)
        {
            throw ApiException.Forbidden($"unable to create new content in namespace {ns} because it is being terminated");
        }
    }

    private static void CheckDefinitionAcceptsCreates(ObjectStore.StoreWriter w, ResourceType type)
    {
        var crd = w.Get(BuiltInResources.CrdStorageKey, $"{type.Plural}.{type.Group}");
        if (crd is { IsDeleting: true })
        {
            throw ApiException.MethodNotAllowed($"create not allowed while custom resource definition is terminating");
        }
    }

    /// <summary>Stores the object (or, for a dry run, only encodes it), refusing one over the store's size limit as a 413.</summary>
    private StoredObject Persist(ObjectStore.StoreWriter w, ResourceType type, JsonObject obj, string name, bool dryRun)
    {
        try
        {
            return dryRun
                ? ObjectStore.CheckFits(StoredObject.From(type.StorageKey, obj, FieldsOf(type.StorageKey)))
                : w.Put(type.StorageKey, obj, FieldsOf(type.StorageKey));
        }
        catch (ObjectTooLargeException e)
        {
            throw ApiException.TooLarge($"{type.QualifiedPlural} \"{name}\" is too large to store: {e.Message}");
        }
    }
}
