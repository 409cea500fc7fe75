using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Strategies;

/// <summary>Pods start Pending; their containers are required and named.</summary>
internal sealed class PodStrategy : IResourceStrategy
{
    public string StorageKey => "pods";

    public void PrepareForCreate(JsonObject obj, DateTimeOffset now)
    {
        if (obj["status"] is not JsonObject status) obj["status"] = status = [];
        status["phase"] ??= "Pending";
        if (obj["spec"] is JsonObject spec)
        {
            spec["restartPolicy"] ??= "Always";
            spec["serviceAccountName"] ??= "default";
        }
    }

    public void Validate(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        if (obj["spec"]?["containers"] is not JsonArray { Count: > 0 } containers)
        {
            errors.Add(FieldError.Required("spec.containers"));
            return;
        }
        for (var i = 0; i < containers.Count; i++)
        {
            if (containers[i]?["name"] is not JsonValue) errors.Add(FieldError.Required($"spec.containers[{i}].name"));
        }
        if (old is not null && (string?)old["spec"]?["nodeName"] is { Length: > 0 } node && (string?)obj["spec"]?["nodeName"] != node)
        {
            errors.Add(FieldError.Forbidden("spec", "pod updates may not change fields other than `spec.containers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) or `spec.terminationGracePeriodSeconds`"));
        }
    }
}
