using System.Text.Json;
using System.Text.Json.Nodes;
using Ops.Sandbox.Patching;

namespace Ops.Sandbox.Api;

internal sealed partial class ResourceService
{
    public const string MergePatch = "application/merge-patch+json";
    public const string JsonPatchType = "application/json-patch+json";
    public const string StrategicMergePatchType = "application/strategic-merge-patch+json";
    public const string ApplyPatch = "application/apply-patch+yaml";

    public ApiResult Patch(RequestScope scope, string? contentType, string body, WriteOptions options)
    {
        var type = scope.Type;
        var patchType = (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        if (patchType == "application/apply-patch+json") patchType = ApplyPatch;
        var accepted = type.IsCustom ? $"{JsonPatchType}, {MergePatch}, {ApplyPatch}" : $"{JsonPatchType}, {MergePatch}, {ApplyPatch}, {StrategicMergePatchType}";
        if (patchType is not (MergePatch or JsonPatchType or StrategicMergePatchType or ApplyPatch) || (type.IsCustom && patchType == StrategicMergePatchType))
        {
            throw ApiException.UnsupportedMediaType($"the body of the request was in an unknown format - accepted media types include: {accepted}");
        }
        var patch = ParsePatch(patchType, body);
        if (patchType == ApplyPatch && string.IsNullOrEmpty(options.FieldManager))
        {
            throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        }

        return store.Write(w =>
        {
            var old = w.Get(type.StorageKey, scope.Key);
            if (old is null)
            {
                if (patchType != ApplyPatch || scope.Subresource is not null) throw ApiException.NotFound(type, scope.Name ?? "");
                var applied = RequireApplied(patch, type, scope);
                var created = ManagedFields.Apply(null, applied, options.FieldManager!, options.Force, type.ApiVersion, Timestamps.Format(clock.GetUtcNow()), type, scope.Name!);
                return CreateCore(w, scope, created, options, applied: true);
            }
            var served = RenderObject(old, type);
            var patched = patchType switch
            {
                MergePatch => JsonMergePatch.Apply(served.DeepClone(), patch),
                JsonPatchType => JsonPatch.Apply(served, patch),
                StrategicMergePatchType => StrategicMergePatch.Apply(served, patch),
                _ => ManagedFields.Apply(served, RequireApplied(patch, type, scope), options.FieldManager!, options.Force, type.ApiVersion, Timestamps.Format(clock.GetUtcNow()), type, scope.Name!),
            };
            if (patched is not JsonObject) throw new ApiException(422, "Invalid", "the patch does not leave an object");
            // The patched object is decoded like a request body: same kind, well-typed metadata.
            var result = RequireObject(patched, type);
            var metadata = MetadataOf(result);
            if ((string?)metadata["resourceVersion"] is { Length: > 0 } rv && rv != old.ResourceVersion.ToString())
            {
                throw ApiException.Conflict(type, scope.Name!, "the object has been modified; please apply your changes to the latest version and try again");
            }
            if ((string?)metadata["name"] != scope.Name) throw ApiException.BadRequest($"the name of the object ({metadata["name"]}) does not match the name on the URL ({scope.Name})");
            result = type.Converter.ToStorage(result, type);
            return Commit(w, scope, old, old.Parse(), result, options, applied: patchType == ApplyPatch);
        });
    }

    private static JsonNode? ParsePatch(string patchType, string body)
    {
        try
        {
            return patchType == ApplyPatch ? YamlJson.Parse(body) : JsonNode.Parse(body);
        }
        catch (Exception e) when (e is JsonException or FormatException or YamlDotNet.Core.YamlException or InvalidCastException)
        {
            throw ApiException.BadRequest($"error decoding patch: {e.Message}");
        }
    }

    private static JsonObject RequireApplied(JsonNode? patch, ResourceType type, RequestScope scope)
    {
        var applied = RequireObject(patch, type);
        var metadata = MetadataOf(applied);
        if ((string?)metadata["name"] != scope.Name) throw ApiException.BadRequest($"the name of the object ({metadata["name"]}) does not match the name on the URL ({scope.Name})");
        CheckNamespace(scope, metadata);
        if (metadata["managedFields"] is not null) throw ApiException.BadRequest("metadata.managedFields must be nil");
        return applied;
    }
}
