using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Patching;

/// <summary>
/// Field ownership as server-side apply records it. Every write moves the fields it changed to its
/// manager; an apply also removes the fields its manager applied before and no longer applies, and
/// fails with 409 Conflict when it would change a field another manager owns (unless forced).
/// </summary>
internal static class ManagedFields
{
    public static List<ManagedFieldsEntry> Read(JsonObject obj) =>
        (obj["metadata"]?["managedFields"] as JsonArray)?.OfType<JsonObject>().Select(ManagedFieldsEntry.FromJson).ToList() ?? [];

    public static void Write(JsonObject obj, List<ManagedFieldsEntry> entries)
    {
        var metadata = (JsonObject)obj["metadata"]!;
        var kept = entries.Where(e => !e.Fields.IsEmpty).ToList();
        if (kept.Count == 0) metadata.Remove("managedFields");
        else metadata["managedFields"] = new JsonArray([.. kept.Select(e => (JsonNode)e.ToJson())]);
    }

    /// <summary>Records an ordinary write (create, update, patch): the manager takes the fields it changed.</summary>
    public static void RecordUpdate(JsonObject? old, JsonObject updated, string manager, string apiVersion, string subresource, string now)
    {
        var before = old is null ? [] : FieldSet.Leaves(old);
        var after = FieldSet.Leaves(updated);
        var changed = after.Where(p => !before.TryGetValue(p.Key, out var v) || !JsonNode.DeepEquals(v, p.Value)).Select(p => p.Key).ToList();
        var removed = before.Keys.Where(k => !after.ContainsKey(k)).ToList();
        var entries = old is null ? [] : Read(old);
        if (changed.Count == 0 && removed.Count == 0)
        {
            Write(updated, entries);
            return;
        }
        var mine = new ManagedFieldsEntry(manager, "Update", apiVersion, now, subresource, FieldSet.Empty);
        var result = new List<ManagedFieldsEntry>();
        foreach (var entry in entries)
        {
            if (entry.SameOwner(mine)) { mine = mine with { Fields = entry.Fields }; continue; }
            result.Add(entry with { Fields = entry.Fields.Without(changed).Without(removed) });
        }
        result.Add(mine with { Fields = mine.Fields.Without(removed).With(changed) });
        Write(updated, result);
    }

    /// <summary>Server-side apply of <paramref name="applied"/> onto <paramref name="live"/> (null to create).</summary>
    public static JsonObject Apply(JsonObject? live, JsonObject applied, string manager, bool force, string apiVersion, string now, ResourceType type, string name)
    {
        var appliedLeaves = FieldSet.Leaves(applied);
        var entries = live is null ? [] : Read(live);
        var mine = new ManagedFieldsEntry(manager, "Apply", apiVersion, now, "", FieldSet.FromPaths(appliedLeaves.Keys));
        var previous = entries.FirstOrDefault(e => e.SameOwner(mine))?.Fields ?? FieldSet.Empty;
        var liveLeaves = live is null ? [] : FieldSet.Leaves(live);

        var changedPaths = appliedLeaves.Where(p => !LiveEquals(liveLeaves, p.Key, p.Value)).Select(p => p.Key).ToList();
        var conflicts = new List<(string Manager, string Path)>();
        foreach (var path in changedPaths)
        {
            foreach (var entry in entries.Where(e => e.Manager != manager && e.Fields.Overlaps(path)))
            {
                conflicts.Add((entry.Manager, path));
            }
        }
        if (conflicts.Count > 0 && !force)
        {
            var lines = conflicts.Select(c => $"conflict with \"{c.Manager}\": {FieldSet.Display(c.Path)}").Distinct().ToList();
            var message = lines.Count == 1
                ? $"Apply failed with 1 conflict: {lines[0]}"
                : $"Apply failed with {lines.Count} conflicts: {string.Join("\n", lines)}";
            throw new ApiException(409, "Conflict", message, new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural });
        }

        var result = live?.DeepClone().AsObject() ?? new JsonObject
        {
            ["apiVersion"] = applied["apiVersion"]?.DeepClone(),
            ["kind"] = applied["kind"]?.DeepClone(),
            ["metadata"] = new JsonObject { ["name"] = applied["metadata"]?["name"]?.DeepClone(), ["namespace"] = applied["metadata"]?["namespace"]?.DeepClone() },
        };
        foreach (var (path, value) in appliedLeaves) Set(result, FieldSet.Split(path), value?.DeepClone());
        var others = entries.Where(e => !e.SameOwner(mine)).ToList();
        foreach (var path in previous.Paths.Where(p => !appliedLeaves.ContainsKey(p)))
        {
            if (!others.Any(e => e.Fields.Overlaps(path))) Remove(result, FieldSet.Split(path));
        }

        var kept = others.Select(e => e.Manager == manager ? e : e with { Fields = e.Fields.Without(conflicts.Where(c => c.Manager == e.Manager).Select(c => c.Path)) }).ToList();
        kept.Add(mine);
        Write(result, kept);
        return result;
    }

    private static bool LiveEquals(Dictionary<string, JsonNode?> liveLeaves, string path, JsonNode? value) =>
        liveLeaves.TryGetValue(path, out var live) && JsonNode.DeepEquals(live, value);

    private static void Set(JsonObject root, string[] path, JsonNode? value)
    {
        var node = root;
        foreach (var part in path[..^1])
        {
            if (node[part] is not JsonObject child) node[part] = child = [];
            node = child;
        }
        node[path[^1]] = value;
    }

    private static void Remove(JsonObject root, string[] path)
    {
        var node = root;
        foreach (var part in path[..^1])
        {
            if (node[part] is not JsonObject child) return;
            node = child;
        }
        node.Remove(path[^1]);
    }
}
