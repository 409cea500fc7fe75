using System.Text.Json;
using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Validation;

/// <summary>
/// The JSON types of ObjectMeta, checked before anything reads the fields: the API server decodes
/// metadata into typed Go structs, so a number for a name or a string for ownerReferences is a 400,
/// and such an object is never stored (a typed client could not read it back).
/// </summary>
internal static class ObjectMetaShape
{
    private static readonly string[] Strings = ["name", "generateName", "namespace", "uid", "resourceVersion", "selfLink", "creationTimestamp", "deletionTimestamp"];
    private static readonly string[] Integers = ["generation", "deletionGracePeriodSeconds"];
    private static readonly string[] StringMaps = ["labels", "annotations"];
    private static readonly string[] OwnerStrings = ["apiVersion", "kind", "name", "uid"];
    private static readonly HashSet<string> Known =
        [.. Strings, .. Integers, .. StringMaps, "finalizers", "ownerReferences", "managedFields"];

    /// <summary>Drops metadata fields ObjectMeta does not have, as decoding does, and reports them.</summary>
    public static void PruneUnknown(JsonObject obj, List<string> unknownFields)
    {
        if (obj["metadata"] is not JsonObject metadata) return;
        foreach (var name in metadata.Select(p => p.Key).Where(k => !Known.Contains(k)).ToList())
        {
            unknownFields.Add($"metadata.{name}");
            metadata.Remove(name);
        }
    }

    public static void Check(JsonObject obj)
    {
        if (obj["metadata"] is null) return;
        if (obj["metadata"] is not JsonObject metadata) throw Error("metadata", "an object");
        foreach (var field in Strings) Expect(metadata[field], JsonValueKind.String, $"metadata.{field}", "a string");
        foreach (var field in Integers) Expect(metadata[field], JsonValueKind.Number, $"metadata.{field}", "an integer");
        foreach (var field in StringMaps)
        {
            if (metadata[field] is null) continue;
            if (metadata[field] is not JsonObject map) throw Error($"metadata.{field}", "a map of strings");
            foreach (var (key, value) in map) Expect(value, JsonValueKind.String, $"metadata.{field}.{key}", "a string", allowNull: false);
        }
        if (metadata["finalizers"] is { } finalizers)
        {
            if (finalizers is not JsonArray list) throw Error("metadata.finalizers", "a list of strings");
            for (var i = 0; i < list.Count; i++) Expect(list[i], JsonValueKind.String, $"metadata.finalizers[{i}]", "a string", allowNull: false);
        }
        if (metadata["ownerReferences"] is { } owners)
        {
            if (owners is not JsonArray list) throw Error("metadata.ownerReferences", "a list of objects");
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i] is not JsonObject owner) throw Error($"metadata.ownerReferences[{i}]", "an object");
                foreach (var field in OwnerStrings) Expect(owner[field], JsonValueKind.String, $"metadata.ownerReferences[{i}].{field}", "a string");
            }
        }
        if (metadata["managedFields"] is { } managed && (managed is not JsonArray entries || entries.Any(e => e is not JsonObject)))
        {
            throw Error("metadata.managedFields", "a list of objects");
        }
    }

    private static void Expect(JsonNode? node, JsonValueKind kind, string field, string what, bool allowNull = true)
    {
        if (node is null && allowNull) return;
        if (node is JsonValue value && value.GetValueKind() == kind) return;
        throw Error(field, what);
    }

    private static ApiException Error(string field, string what) =>
        ApiException.BadRequest($"unable to decode the object: {field} must be {what}");
}
