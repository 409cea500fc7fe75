using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ops.Sandbox.Storage;

/// <summary>
/// An immutable stored object: its canonical JSON bytes plus what selectors and the garbage
/// collector need without parsing. Readers parse a private copy when they want to change it.
/// </summary>
internal sealed class StoredObject
{
    private StoredObject(string storageKey, string ns, string name, string uid, long resourceVersion, byte[] json,
        IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> fields, IReadOnlyList<string> ownerUids, bool isDeleting)
    {
        IsDeleting = isDeleting;
        StorageKey = storageKey;
        Namespace = ns;
        Name = name;
        Uid = uid;
        ResourceVersion = resourceVersion;
        Json = json;
        Labels = labels;
        Fields = fields;
        OwnerUids = ownerUids;
    }

    public string StorageKey { get; }
    public string Namespace { get; }
    public string Name { get; }
    public string Key => KeyOf(Namespace, Name);
    public string Uid { get; }
    public long ResourceVersion { get; }
    public byte[] Json { get; }
    public IReadOnlyDictionary<string, string> Labels { get; }
    /// <summary>Values of the selectable fields (metadata.name, spec.nodeName, ...) for field selectors.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }
    public IReadOnlyList<string> OwnerUids { get; }
    /// <summary>True once metadata.deletionTimestamp is set: the object waits on finalizers (or is a terminating namespace).</summary>
    public bool IsDeleting { get; }

    public static string KeyOf(string ns, string name) => ns.Length == 0 ? name : $"{ns}/{name}";

    public JsonObject Parse() => JsonNode.Parse(Json)!.AsObject();

    public static StoredObject From(string storageKey, JsonObject obj, IReadOnlyList<string> selectableFields)
    {
        var metadata = obj["metadata"] as JsonObject ?? [];
        var ns = (string?)metadata["namespace"] ?? "";
        var name = (string?)metadata["name"] ?? "";
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata["labels"] is JsonObject labelObject)
        {
            foreach (var (key, value) in labelObject) labels[key] = value?.ToString() ?? "";
        }
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["metadata.name"] = name,
            ["metadata.namespace"] = ns,
        };
        foreach (var path in selectableFields) fields[path] = Lookup(obj, path) ?? "";
        var owners = (metadata["ownerReferences"] as JsonArray)?
            .Select(o => (string?)o?["uid"]).OfType<string>().ToArray() ?? [];
        var rv = long.TryParse((string?)metadata["resourceVersion"], out var parsed) ? parsed : 0;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(obj, Api.JsonOptions.Wire);
        return new StoredObject(storageKey, ns, name, (string?)metadata["uid"] ?? "", rv, bytes, labels, fields, owners, metadata["deletionTimestamp"] is not null);
    }

    private static string? Lookup(JsonObject obj, string dottedPath)
    {
        JsonNode? node = obj;
        foreach (var part in dottedPath.Split('.'))
        {
            node = (node as JsonObject)?[part];
            if (node is null) return null;
        }
        return node is JsonValue value ? value.ToString() : null;
    }
}
