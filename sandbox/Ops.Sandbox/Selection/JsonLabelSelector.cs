using System.Text.Json.Nodes;

namespace Ops.Sandbox.Selection;

/// <summary>A metav1.LabelSelector as stored JSON (matchLabels and matchExpressions, ANDed); an empty one selects everything.</summary>
internal static class JsonLabelSelector
{
    public static bool Selects(JsonObject? selector, JsonObject? labels) =>
        selector is null
        || ((selector["matchLabels"] as JsonObject ?? []).All(l => (string?)labels?[l.Key] == (string?)l.Value)
            && (selector["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>().All(e => (string?)e["operator"] switch
            {
                "In" => Strings(e["values"]).Contains((string?)labels?[(string?)e["key"] ?? ""] ?? "\0"),
                "NotIn" => !Strings(e["values"]).Contains((string?)labels?[(string?)e["key"] ?? ""] ?? "\0"),
                "Exists" => labels?.ContainsKey((string?)e["key"] ?? "") == true,
                "DoesNotExist" => labels?.ContainsKey((string?)e["key"] ?? "") != true,
                _ => false,
            }));

    private static string[] Strings(JsonNode? node) => [.. (node as JsonArray ?? []).Select(n => (string?)n ?? "")];
}
