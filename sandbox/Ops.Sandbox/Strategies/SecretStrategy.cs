using System.Text;
using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Strategies;

/// <summary>stringData is write-only: merged into data (base64), as the API server does, and never stored; a Secret without a type is Opaque.</summary>
internal sealed class SecretStrategy : IResourceStrategy
{
    public string StorageKey => "secrets";

    public void PrepareForCreate(JsonObject obj, DateTimeOffset now)
    {
        obj["type"] ??= "Opaque";
        MergeStringData(obj);
    }

    public void PrepareForUpdate(JsonObject obj, JsonObject old) => MergeStringData(obj);

    private static void MergeStringData(JsonObject obj)
    {
        if (obj["stringData"] is not JsonObject stringData) return;
        if (obj["data"] is not JsonObject data) obj["data"] = data = [];
        foreach (var (key, value) in stringData) data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value?.ToJsonString() ?? ""));
        obj.Remove("stringData");
    }
}
