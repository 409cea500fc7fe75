using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.Operator.Controllers.DiagnosticTriggers;
using Ops.Operator.Controllers.ScheduledTasks;

namespace Ops.Operator.Admission;

/// <summary>A validating webhook's verdict on a request: null to allow, else the HTTP status (403 for a policy, 422 for a spec) and a message naming the field and the rule.</summary>
public sealed record AdmissionRefusal(int Code, string Reason, string Message);

/// <summary>
/// Refuses at <c>kubectl apply</c> what the schema cannot check and a command's start would refuse anyway: the
/// catalogue's actions and parameters, target selectors, cron schedules and time zones, triggers' conditions, and what the namespace's
/// DiagnosticPolicies forbid; and any change to the requester stamped at creation. The same checks run again when a
/// command starts, for when this webhook is down (its failurePolicy is Ignore).
/// </summary>
public sealed class AdmissionValidator(CommandSpecCheck check, TriggerSpecCheck triggers)
{
    public AdmissionRefusal? Refusal(AdmissionRequest request)
    {
        if (request.Group != ApiGroup.Name || request.Object is not { } current) return null;
        if (request.Operation == "UPDATE" && request.OldObject is { } old)
        {
            var before = (string?)old["metadata"]?["annotations"]?[Requester.Annotation];
            var after = (string?)current["metadata"]?["annotations"]?[Requester.Annotation];
            if (before != after)
            {
                return new(403, "RequesterImmutable", $"metadata.annotations[{Requester.Annotation}]: who asked for {request.Kind} {request.Namespace}/{(string?)current["metadata"]?["name"]} is recorded when it is created and cannot be changed{(before is null ? "" : $" (it is {Requester.Parse(before).Describe()})")}");
            }
            // The operator's own writes (finalizers, the plan) and a deletion in progress leave the spec as it was: a policy changed since must not block them.
            if (JsonNode.DeepEquals(old["spec"], current["spec"]) || current["metadata"]?["deletionTimestamp"] is not null) return null;
        }
        else if (request.Operation != "CREATE") return null;
        return request.Kind switch
        {
            V1Alpha1DiagnosticCommand.KindName => Of(check.Refusal(Deserialize<V1Alpha1DiagnosticCommand>(current, request.Namespace)), ""),
            V1Alpha1ScheduledTask.KindName => TaskRefusal(Deserialize<V1Alpha1ScheduledTask>(current, request.Namespace)),
            V1Alpha1DiagnosticTrigger.KindName => triggers.Refusal(Deserialize<V1Alpha1DiagnosticTrigger>(current, request.Namespace)) is { } refused
                ? new(refused.ByPolicy ? 403 : 422, refused.Reason, refused.Message)
                : null,
            _ => null,
        };
    }

    private AdmissionRefusal? TaskRefusal(V1Alpha1ScheduledTask task)
    {
        if (TaskSchedule.Parse(task.Spec.Schedule, task.Spec.TimeZone, out var problem) is null) return new(422, "InvalidSchedule", problem!);
        if (ScheduledTaskReconciler.NameProblem(task.Metadata.Name) is { } badName) return new(422, "InvalidName", badName);
        var template = new V1Alpha1DiagnosticCommand { Metadata = new V1ObjectMeta { NamespaceProperty = task.Metadata.NamespaceProperty }, Spec = task.Spec.Template.Spec };
        return Of(check.Refusal(template), "spec.template.");
    }

    private static AdmissionRefusal? Of(SpecRefusal? refusal, string prefix) => refusal switch
    {
        null => null,
        { Denial: not null } => new(403, refusal.Reason, prefix + refusal.WithField),
        _ => new(422, refusal.Reason, prefix.Length == 0 ? refusal.Message : $"spec.template: {refusal.Message}"),
    };

    /// <summary>The object as its type; its namespace is the request's (a create may leave metadata.namespace out).</summary>
    private static T Deserialize<T>(JsonObject json, string ns) where T : IKubernetesObject<V1ObjectMeta>
    {
        var typed = KubernetesJson.Deserialize<T>(json.ToJsonString());
        typed.Metadata ??= new V1ObjectMeta();
        typed.Metadata.NamespaceProperty = ns;
        return typed;
    }
}
