using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Tables;

/// <summary>meta.k8s.io/v1 Table responses, built from a type's printer columns, for <c>kubectl get</c>.</summary>
internal static class TableBuilder
{
    public static JsonObject Build(ResourceType type, IEnumerable<JsonObject> objects, string resourceVersion, string? continueToken, string includeObject, DateTimeOffset now, bool noHeaders = false)
    {
        var columns = new JsonArray();
        if (!noHeaders)
        {
            columns.Add(Definition("Name", "string", "name", "Name must be unique within a namespace.", 0));
            foreach (var column in type.Columns) columns.Add(Definition(column.Name, column.Type, column.Format, column.Description, column.Priority));
        }
        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray((JsonNode?)(string?)obj["metadata"]?["name"]);
            foreach (var column in type.Columns) cells.Add(column.Value(obj, now));
            var row = new JsonObject { ["cells"] = cells };
            if (includeObject == "Object") row["object"] = obj;
            else if (includeObject != "None") row["object"] = PartialMetadata(obj);
            rows.Add(row);
        }
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion, ["continue"] = continueToken },
            ["columnDefinitions"] = columns,
            ["rows"] = rows,
        };
    }

    public static JsonObject PartialMetadata(JsonObject obj) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = obj["metadata"]?.DeepClone(),
    };

    private static JsonObject Definition(string name, string type, string format, string description, int priority) => new()
    {
        ["name"] = name,
        ["type"] = type == "date" ? "string" : type,
        ["format"] = format,
        ["description"] = description,
        ["priority"] = priority,
    };
}
