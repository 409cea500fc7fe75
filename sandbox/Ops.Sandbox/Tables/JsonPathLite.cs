using System.Text.Json.Nodes;

namespace Ops.Sandbox.Tables;

/// <summary>
/// The JSONPath subset printer columns use: <c>.a.b</c>, <c>.a[0].b</c>, <c>.a[*].b</c> (several
/// values joined by commas), optionally wrapped in braces.
/// </summary>
internal static class JsonPathLite
{
    public static JsonNode? Evaluate(JsonNode? root, string path)
    {
        var text = path.Trim();
        if (text.StartsWith('{') && text.EndsWith('}')) text = text[1..^1];
        IEnumerable<JsonNode?> current = [root];
        foreach (var segment in Segments(text))
        {
            current = segment switch
            {
                "[*]" => current.SelectMany(n => n as JsonArray ?? []),
                _ when segment.StartsWith('[') && int.TryParse(segment[1..^1], out var index) =>
                    current.Select(n => n is JsonArray a && index >= 0 && index < a.Count ? a[index] : null),
                _ => current.Select(n => (n as JsonObject)?[segment]),
            };
        }
        var values = current.Where(n => n is not null).ToList();
        return values.Count switch
        {
            0 => null,
            1 => values[0]!.DeepClone(),
            _ => JsonValue.Create(string.Join(",", values.Select(v => v is JsonValue value ? value.ToString() : v!.ToJsonString()))),
        };
    }

    private static IEnumerable<string> Segments(string path)
    {
        var i = 0;
        while (i < path.Length)
        {
            if (path[i] == '.') { i++; continue; }
            if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0) yield break;
                yield return path[i..(end + 1)];
                i = end + 1;
                continue;
            }
            var next = path.IndexOfAny(['.', '['], i);
            if (next < 0) next = path.Length;
            yield return path[i..next];
            i = next;
        }
    }
}
