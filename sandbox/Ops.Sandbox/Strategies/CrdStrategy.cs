using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Strategies;

/// <summary>
/// CRDs: checked for what serving needs (group, names, scope, versions, one storage version, a
/// name of plural.group), given the cleanup finalizer, and established at once (the sandbox serves
/// the resource synchronously, so Established is true when the create returns).
/// </summary>
internal sealed class CrdStrategy : IResourceStrategy
{
    public const string CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

    public string StorageKey => BuiltInResources.CrdStorageKey;

    public void PrepareForCreate(JsonObject obj, DateTimeOffset now)
    {
        var metadata = obj["metadata"]!.AsObject();
        if (metadata["finalizers"] is not JsonArray finalizers) metadata["finalizers"] = finalizers = [];
        if (!finalizers.Any(f => (string?)f == CleanupFinalizer)) finalizers.Add(CleanupFinalizer);
        obj["status"] = Established(obj, now);
    }

    public void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        var status = old["status"]?.DeepClone().AsObject() ?? [];
        status["acceptedNames"] = obj["spec"]?["names"]?.DeepClone();
        status["storedVersions"] = StoredVersions(obj, old);
        obj["status"] = status;
    }

    public void Validate(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        var spec = obj["spec"] as JsonObject;
        if (spec is null) { errors.Add(FieldError.Required("spec")); return; }
        var group = (string?)spec["group"];
        var plural = (string?)spec["names"]?["plural"];
        if (string.IsNullOrEmpty(group)) errors.Add(FieldError.Required("spec.group"));
        if (string.IsNullOrEmpty(plural)) errors.Add(FieldError.Required("spec.names.plural"));
        if (string.IsNullOrEmpty((string?)spec["names"]?["kind"])) errors.Add(FieldError.Required("spec.names.kind"));
        if ((string?)spec["scope"] is not ("Namespaced" or "Cluster"))
        {
            errors.Add(FieldError.NotSupported("spec.scope", $"\"{spec["scope"]}\"", ["\"Cluster\"", "\"Namespaced\""]));
        }
        var name = (string?)obj["metadata"]?["name"];
        if (group is not null && plural is not null && name != $"{plural}.{group}")
        {
            errors.Add(FieldError.Invalid("metadata.name", $"\"{name}\"", "must be spec.names.plural+\".\"+spec.group"));
        }
        if (spec["versions"] is not JsonArray { Count: > 0 } versions)
        {
            errors.Add(FieldError.Invalid("spec.versions", "null", "must have exactly one version marked as storage version"));
            return;
        }
        if (versions.Count(v => (bool?)v?["storage"] == true) != 1)
        {
            errors.Add(FieldError.Invalid("spec.versions", versions.ToJsonString().Length > 80 ? "[...]" : versions.ToJsonString(), "must have exactly one version marked as storage version"));
        }
        for (var i = 0; i < versions.Count; i++)
        {
            if (string.IsNullOrEmpty((string?)versions[i]?["name"])) errors.Add(FieldError.Required($"spec.versions[{i}].name"));
            if (versions[i]?["schema"]?["openAPIV3Schema"] is JsonObject schema && (string?)schema["type"] != "object")
            {
                errors.Add(FieldError.Invalid($"spec.versions[{i}].schema.openAPIV3Schema.type", $"\"{schema["type"]}\"", "must be object at the root"));
            }
        }
        if (old is not null && ((string?)old["spec"]?["group"] != group || (string?)old["spec"]?["names"]?["plural"] != plural || (string?)old["spec"]?["scope"] != (string?)spec["scope"]))
        {
            errors.Add(FieldError.Invalid("spec", "...", "group, names.plural and scope are immutable"));
        }
    }

    private static JsonObject Established(JsonObject obj, DateTimeOffset now)
    {
        var at = Timestamps.Format(now);
        return new JsonObject
        {
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "NoConflicts", "no conflicts found", at),
                Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", at)),
            ["acceptedNames"] = obj["spec"]?["names"]?.DeepClone(),
            ["storedVersions"] = StoredVersions(obj, null),
        };
    }

    private static JsonArray StoredVersions(JsonObject obj, JsonObject? old)
    {
        var versions = (old?["status"]?["storedVersions"] as JsonArray)?.Select(v => (string?)v).OfType<string>().ToList() ?? [];
        var storage = (obj["spec"]?["versions"] as JsonArray)?.FirstOrDefault(v => (bool?)v?["storage"] == true)?["name"];
        if (storage is not null && !versions.Contains((string)storage!)) versions.Add((string)storage!);
        return new JsonArray([.. versions.Select(v => (JsonNode?)v)]);
    }

    private static JsonObject Condition(string type, string reason, string message, string at) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["reason"] = reason,
        ["message"] = message,
        ["lastTransitionTime"] = at,
    };
}
