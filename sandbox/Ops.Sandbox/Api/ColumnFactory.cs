using System.Text.Json.Nodes;
using Ops.Sandbox.Tables;

namespace Ops.Sandbox.Api;

/// <summary>Helpers to declare table columns briefly.</summary>
internal static class ColumnFactory
{
    public static TableColumn Path(string name, string jsonPath, string type = "string", int priority = 0) =>
        new(name, type, (o, now) => type == "date" ? Age(JsonPathLite.Evaluate(o, jsonPath), now) : JsonPathLite.Evaluate(o, jsonPath), priority);

    public static TableColumn Computed(string name, Func<JsonObject, JsonNode?> value, string type = "string", int priority = 0) =>
        new(name, type, (o, _) => value(o), priority);

    public static TableColumn Age() => Path("Age", ".metadata.creationTimestamp", "date");

    /// <summary>Server-side printing of date columns shows an age, as the real API server does.</summary>
    public static JsonNode? Age(JsonNode? timestamp, DateTimeOffset now)
    {
        if (timestamp is not JsonValue value || !DateTimeOffset.TryParse(value.ToString(), out var at)) return null;
        return HumanDuration.Format(now - at);
    }

    public static int Count(JsonNode? node) => node switch
    {
        JsonObject o => o.Count,
        JsonArray a => a.Count,
        _ => 0,
    };
}
