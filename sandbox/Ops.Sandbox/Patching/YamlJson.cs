using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ops.Sandbox.Patching;

/// <summary>YAML (a superset of JSON) to JSON nodes, typing plain scalars the way YAML 1.2's core schema does.</summary>
internal static class YamlJson
{
    public static IReadOnlyList<JsonNode?> ParseAll(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        // Re-parse so numbers and strings are JSON-backed values, exactly like a JSON request body.
        return [.. stream.Documents.Select(d => Convert(d.RootNode) is { } node ? JsonNode.Parse(node.ToJsonString()) : null)];
    }

    public static JsonNode? Parse(string text)
    {
        var documents = ParseAll(text);
        return documents.Count == 1 ? documents[0] : throw new FormatException("expected exactly one YAML document");
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(
            (c.Key as YamlScalarNode)?.Value ?? throw new FormatException("YAML mapping keys must be strings"), Convert(c.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(Convert)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new FormatException($"unsupported YAML node {node.NodeType}"),
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded) return JsonValue.Create(value);
        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)) return JsonValue.Create(whole);
        if (value.Any(char.IsDigit) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && !value.Contains(',')) return JsonValue.Create(real);
        return JsonValue.Create(value);
    }
}
