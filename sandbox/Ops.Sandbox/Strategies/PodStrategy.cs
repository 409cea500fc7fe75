using System.Text.Json.Nodes;
using Ops.Sandbox.Api;
using Ops.Sandbox.Hosting;
using Ops.Sandbox.Nodes;

namespace Ops.Sandbox.Strategies;

/// <summary>
/// Pods start Pending, with their service account's token volume (<see cref="ServiceAccountAdmission"/>); their containers are required and named; a pod running on a simulated node is
/// deleted gracefully: it stays, marked, until the node's kubelet has stopped its containers.
/// </summary>
internal sealed class PodStrategy(SandboxOptions options, Storage.ObjectStore store) : IResourceStrategy
{
    public int? GracePeriodSeconds(JsonObject obj, DeleteOptions delete)
    {
        var node = (string?)obj["spec"]?["nodeName"];
        if (node is null || !SimulatedNode.Runs(node, options.Nodes) || (string?)obj["status"]?["phase"] is "Succeeded" or "Failed") return null;
        return (int)Math.Max(0, delete.GracePeriodSeconds ?? (long?)obj["spec"]?["terminationGracePeriodSeconds"] ?? 30);
    }

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
        ServiceAccountAdmission.Admit(obj, store);
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
