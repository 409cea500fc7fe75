using System.Globalization;
using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Patching;

/// <summary>RFC 6902 JSON patch (application/json-patch+json): add, remove, replace, move, copy, test.</summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonNode? patch)
    {
        if (patch is not JsonArray operations) throw ApiException.BadRequest("json patch must be an array of operations");
        var root = new JsonObject { ["doc"] = document.DeepClone() };
        foreach (var operation in operations)
        {
            if (operation is not JsonObject op) throw ApiException.BadRequest("json patch operation must be an object");
            var name = (string?)op["op"] ?? throw ApiException.BadRequest("json patch operation has no \"op\"");
            var path = Path(op, "path");
            switch (name)
            {
                case "add": Add(root, path, Value(op)); break;
                case "remove": Remove(root, path); break;
                case "replace": Remove(root, path); Add(root, path, Value(op)); break;
                case "move": { var from = Path(op, "from"); var moved = Get(root, from); Remove(root, from); Add(root, path, moved); break; }
                case "copy": Add(root, path, Get(root, Path(op, "from"))?.DeepClone()); break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), op["value"])) throw Failed($"testing value {string.Join("/", path.Skip(1))} failed");
                    break;
                default: throw ApiException.BadRequest($"unexpected json patch op \"{name}\"");
            }
        }
        return root["doc"]!.DeepClone();
    }

    private static JsonNode? Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw ApiException.BadRequest("json patch operation has no \"value\"");

    private static List<string> Path(JsonObject op, string field)
    {
        var pointer = (string?)op[field] ?? throw ApiException.BadRequest($"json patch operation has no \"{field}\"");
        if (pointer.Length > 0 && pointer[0] != '/') throw ApiException.BadRequest($"json patch path \"{pointer}\" must start with /");
        var parts = new List<string> { "doc" };
        if (pointer.Length > 0) parts.AddRange(pointer[1..].Split('/').Select(p => p.Replace("~1", "/").Replace("~0", "~")));
        return parts;
    }

    private static JsonNode? Get(JsonObject root, List<string> path)
    {
        JsonNode? node = root;
        foreach (var part in path)
        {
            if (!TryChild(node, part, out node)) throw Failed($"doc is missing path: /{string.Join("/", path.Skip(1))}");
        }
        return node;
    }

    private static bool TryChild(JsonNode? node, string part, out JsonNode? child)
    {
        child = null;
        switch (node)
        {
            case JsonObject o:
                return o.TryGetPropertyValue(part, out child);
            case JsonArray a when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                child = a[i];
                return true;
            default:
                return false;
        }
    }

    private static void Add(JsonObject root, List<string> path, JsonNode? value)
    {
        var parent = Get(root, path[..^1]);
        var last = path[^1];
        switch (parent)
        {
            case JsonObject o: o[last] = value; break;
            case JsonArray a when last == "-": a.Add(value); break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count: a.Insert(i, value); break;
            default: throw Failed($"unable to add at /{string.Join("/", path.Skip(1))}");
        }
    }

    private static void Remove(JsonObject root, List<string> path)
    {
        var parent = Get(root, path[..^1]);
        var last = path[^1];
        var removed = parent switch
        {
            JsonObject o => o.Remove(last),
            JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => Remove(a, i),
            _ => false,
        };
        if (!removed) throw Failed($"unable to remove nonexistent key: /{string.Join("/", path.Skip(1))}");
    }

    private static bool Remove(JsonArray array, int index)
    {
        array.RemoveAt(index);
        return true;
    }

    private static ApiException Failed(string message) => new(422, "Invalid", $"the server rejected our request due to an error in our request: {message}");
}
