using System.Text.Json;
using System.Text.Json.Nodes;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Api;

/// <summary>
/// The API verbs with the semantics of a real API server: the HTTP layer parses, this decides.
/// Split by verb family across files.
/// </summary>
internal sealed partial class ResourceService(ObjectStore store, ResourceCatalog catalog, IEnumerable<IResourceStrategy> strategies, ListSnapshots snapshots, TimeProvider clock)
{
    private readonly Dictionary<string, IResourceStrategy> _strategies = strategies.ToDictionary(s => s.StorageKey);

    public ObjectStore Store => store;

    public ResourceCatalog Catalog => catalog;

    public DateTimeOffset Now => clock.GetUtcNow();

    public TimeProvider Clock => clock;

    /// <summary>The object's JSON as the served version shows it; no copy when storage and served forms agree.</summary>
    public byte[] Render(StoredObject obj, ResourceType type) =>
        type.Converter.IsTrivial && type.ApiVersion == type.StorageApiVersion
            ? obj.Json
            : JsonSerializer.SerializeToUtf8Bytes(type.Converter.ToServed(obj.Parse(), type), JsonOptions.Wire);

    public JsonObject RenderObject(StoredObject obj, ResourceType type) => type.Converter.ToServed(obj.Parse(), type);

    private IReadOnlyList<string> FieldsOf(string storageKey) => catalog.ForStorage(storageKey)?.SelectableFields ?? [];

    private IResourceStrategy? StrategyFor(string storageKey) => _strategies.GetValueOrDefault(storageKey);

    private static JsonObject MetadataOf(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata) return metadata;
        if (obj["metadata"] is not null) throw ApiException.BadRequest("metadata must be an object");
        var created = new JsonObject();
        obj["metadata"] = created;
        return created;
    }

    private static List<string> Finalizers(JsonObject metadata) =>
        (metadata["finalizers"] as JsonArray)?.Select(f => (string?)f).OfType<string>().ToList() ?? [];
}
