using System.Text.Json.Nodes;

namespace Ops.Sandbox.Patching;

/// <summary>RFC 7386 JSON merge patch (application/merge-patch+json).</summary>
internal static class JsonMergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null) result.Remove(key);
            else result[key] = Apply(result.TryGetPropertyValue(key, out var existing) ? existing?.DeepClone() : null, value);
        }
        return result;
    }
}
