using System.Text.Json.Nodes;
using Ops.Sandbox.Api;
using Ops.Sandbox.Patching;

namespace Ops.Sandbox.Http;

/// <summary>
/// deployments/scale, as <c>kubectl scale</c> and autoscalers use it: an autoscaling/v1 Scale (spec.replicas; status
/// replicas and selector) read from the Deployment, and written back by PUT or PATCH as a change of its replicas
/// only. A Scale carrying a resourceVersion is a precondition on the Deployment's.
/// </summary>
internal sealed class ScaleSubresource(ResourceService service)
{
    public static bool Serves(ResourceType type) => type.StorageKey == "deployments.apps";

    public JsonObject Get(RequestScope scope) => Scale(service.Get(scope with { Subresource = null }).Parse());

    public JsonObject Update(RequestScope scope, JsonNode? body, WriteOptions options)
    {
        var scale = body as JsonObject ?? throw ApiException.BadRequest("a Scale is an object");
        return Write(scope, scale, options);
    }

    public JsonObject Patch(RequestScope scope, string? contentType, string body, WriteOptions options)
    {
        var current = Get(scope);
        var patch = QueryOptions.ParseJson(body);
        var type = contentType?.Split(';')[0].Trim();
        var patched = type switch
        {
            ResourceService.MergePatch => JsonMergePatch.Apply(current, patch),
            ResourceService.StrategicMergePatchType => StrategicMergePatch.Apply(current, patch),
            ResourceService.JsonPatchType => JsonPatch.Apply(current, patch),
            _ => throw ApiException.UnsupportedMediaType($"the body of the request was in an unknown format - accepted media types include: {ResourceService.JsonPatchType}, {ResourceService.MergePatch}, {ResourceService.StrategicMergePatchType}"),
        } as JsonObject ?? throw ApiException.BadRequest("the patched Scale is not an object");
        patched["metadata"]!.AsObject().Remove("resourceVersion");
        return Write(scope, patched, options);
    }

    private JsonObject Write(RequestScope scope, JsonObject scale, WriteOptions options)
    {
        var replicas = scale["spec"]?["replicas"] is JsonValue value && value.TryGetValue<long>(out var n) ? n : 0;
        if (replicas < 0) throw new ApiException(422, "Invalid", $"Scale.autoscaling \"{scope.Name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0");
        var deployment = service.Get(scope with { Subresource = null }).Parse();
        if ((string?)scale["metadata"]?["resourceVersion"] is { Length: > 0 } version) deployment["metadata"]!["resourceVersion"] = version;
        if (deployment["spec"] is not JsonObject spec) deployment["spec"] = spec = [];
        spec["replicas"] = replicas;
        var result = service.Update(scope with { Subresource = null }, deployment, options);
        return Scale((result.Object ?? throw ApiException.BadRequest("the Deployment was not written")).Parse());
    }

    private static JsonObject Scale(JsonObject deployment)
    {
        var labels = deployment["spec"]?["selector"]?["matchLabels"] as JsonObject ?? [];
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = deployment["metadata"]?["name"]?.DeepClone(), ["namespace"] = deployment["metadata"]?["namespace"]?.DeepClone(),
                ["uid"] = deployment["metadata"]?["uid"]?.DeepClone(), ["resourceVersion"] = deployment["metadata"]?["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = deployment["metadata"]?["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = (long?)deployment["spec"]?["replicas"] ?? 1 },
            ["status"] = new JsonObject
            {
                ["replicas"] = (long?)deployment["status"]?["replicas"] ?? 0,
                ["selector"] = string.Join(',', labels.Select(l => $"{l.Key}={l.Value}")),
            },
        };
    }
}
