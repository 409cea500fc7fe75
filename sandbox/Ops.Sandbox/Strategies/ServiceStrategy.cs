using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Strategies;

/// <summary>Services get a ClusterIP type and an address from the sandbox's service range unless headless.</summary>
internal sealed class ServiceStrategy : IResourceStrategy
{
    private int _next = 1;

    public string StorageKey => "services";

    public void PrepareForCreate(JsonObject obj, DateTimeOffset now)
    {
        if (obj["spec"] is not JsonObject spec) obj["spec"] = spec = [];
        spec["type"] ??= "ClusterIP";
        if ((string?)spec["type"] != "ExternalName" && spec["clusterIP"] is null)
        {
            var n = Interlocked.Increment(ref _next);
            spec["clusterIP"] = $"10.96.{n / 250 % 250}.{n % 250 + 1}";
        }
    }

    public void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        if (obj["spec"] is JsonObject spec && old["spec"]?["clusterIP"] is JsonNode ip) spec["clusterIP"] = ip.DeepClone();
    }
}
