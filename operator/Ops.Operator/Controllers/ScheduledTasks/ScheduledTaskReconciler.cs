using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Hosting;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;

namespace Ops.Operator.Controllers.ScheduledTasks;

/// <summary>
/// Converges a ScheduledTask, as the CronJob controller does for Jobs: reads the task and the
/// DiagnosticCommands it owns, prunes finished ones beyond the history limits, starts the run that is
/// due (Allow, Forbid or Replace when one is still active), and asks to be woken at the next scheduled
/// time rather than polling. A run's command is named after its scheduled minute, so a run is created
/// once even when an operator restart replays the reconcile.
/// </summary>
public sealed class ScheduledTaskReconciler(
    CustomResourceClient<V1Alpha1ScheduledTask> tasks,
    CustomResourceClient<V1Alpha1DiagnosticCommand> commands,
    CommandSpecCheck check,
    IKubernetes client,
    EventRecorder events,
    TimeProvider clock,
    ILogger<ScheduledTaskReconciler> logger) : IReconciler<V1Alpha1ScheduledTask>, IControllerSetup<V1Alpha1ScheduledTask>
{
    /// <summary>
    /// Besides its own spec and deletion, a task wakes when one of its runs changes (a run that finishes: history, active
    /// list, Forbid), and every task when a DiagnosticPolicy changes (its template may be allowed or forbidden now).
    /// </summary>
    public static void Setup(ControllerBuilder<V1Alpha1ScheduledTask> controller) => controller
        .Workers(2)
        .Owns<V1Alpha1DiagnosticCommand>()
        .Watches<V1Alpha1DiagnosticPolicy>((_, all) => all.Select(NamespacedName.Of));

    public const string TaskLabel = "ops.dev/scheduled-task";
    public const string ScheduledAtAnnotation = "ops.dev/scheduled-at";

    public async Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (await tasks.GetAsync(key, cancellationToken) is not { } task || task.Metadata.DeletionTimestamp is not null) return ReconcileResult.Done;
        var now = clock.GetUtcNow();
        var schedule = TaskSchedule.Parse(task.Spec.Schedule, task.Spec.TimeZone, out var problem);
        // A template every run would fail with (an unknown action, a bad parameter or target, what the namespace's policies forbid) starts no run.
        var template = new V1Alpha1DiagnosticCommand { Metadata = new V1ObjectMeta { NamespaceProperty = task.Metadata.NamespaceProperty }, Spec = task.Spec.Template.Spec };
        var invalid = schedule is null ? ("InvalidSchedule", problem!)
            : NameProblem(task.Metadata.Name) is { } badName ? ("InvalidName", badName)
            : check.Refusal(template) is { } refused ? (refused.Reason, $"spec.template: {refused.Message}")
            : ((string Reason, string Message)?)null;
        if (schedule is null || invalid is not null)
        {
            var (reason, message) = invalid!.Value;
            await WriteStatusAsync(task, status =>
            {
                status.NextScheduleTime = null;
                Conditions.Set(status.Conditions!, TaskConditions.Scheduled, false, reason, message, task.Metadata.Generation, now);
            }, cancellationToken, warning: (reason, message));
            return ReconcileResult.Done;
        }

        var owned = await OwnedCommandsAsync(task, cancellationToken);
        var active = owned.Where(c => c.Status?.CompletionTime is null && c.Metadata.DeletionTimestamp is null).OrderBy(c => c.Metadata.Name, StringComparer.Ordinal).ToList();
        await CommandHistory.PruneAsync(commands, owned, task.Spec.SuccessfulHistoryLimitOrDefault(), task.Spec.FailedHistoryLimitOrDefault(), cancellationToken);

        var lastScheduled = task.Status?.LastScheduleTime is { } last ? new DateTimeOffset(DateTime.SpecifyKind(last, DateTimeKind.Utc)) : new DateTimeOffset(DateTime.SpecifyKind(task.Metadata.CreationTimestamp ?? now.UtcDateTime, DateTimeKind.Utc));
        if (task.Spec.Suspend == true)
        {
            await WriteStatusAsync(task, status =>
            {
                Track(status, active, owned);
                status.NextScheduleTime = null;
                Conditions.Set(status.Conditions!, TaskConditions.Scheduled, false, "Suspended", "spec.suspend is true: no new runs start; running commands go on", task.Metadata.Generation, now);
            }, cancellationToken);
            return ReconcileResult.Done;
        }

        var decision = schedule.Decide(lastScheduled, now, task.Spec.StartingDeadlineSeconds);
        DateTimeOffset? scheduled = null;
        (string Reason, string Message)? warning = null;
        if (decision.TooManyMissed)
        {
            scheduled = now;
            warning = ("TooManyMissedRuns", $"more than {TaskSchedule.MaxMissedRuns} runs were missed (the operator was down, or the clock jumped); none was started, the schedule resumes from now");
        }
        else if (decision.RunAt is { } runAt)
        {
            scheduled = runAt;
            var policy = task.Spec.ConcurrencyPolicyOrDefault();
            if (policy == "Forbid" && active.Count > 0)
            {
                warning = ("RunSkipped", $"the run of {runAt:O} was skipped: concurrencyPolicy is Forbid and {active[0].Metadata.Name} is still running");
            }
            else
            {
                if (policy == "Replace")
                {
                    foreach (var running in active) await commands.DeleteAsync(running, cancellationToken);
                    active.Clear();
                }
                var created = await CreateRunAsync(task, runAt, cancellationToken);
                if (created is not null) active.Add(created);
            }
        }

        await WriteStatusAsync(task, status =>
        {
            Track(status, active, owned);
            if (scheduled is { } at) status.LastScheduleTime = Conditions.Truncate(at);
            status.NextScheduleTime = decision.Next is { } next ? Conditions.Truncate(next) : null;
            if (decision.TooManyMissed) Conditions.Set(status.Conditions!, TaskConditions.MissedRuns, true, warning!.Value.Reason, warning.Value.Message, task.Metadata.Generation, now);
            Conditions.Set(status.Conditions!, TaskConditions.Scheduled, true, "Scheduled",
                decision.Next is { } n ? $"next run at {n.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}" : "the schedule has no further runs", task.Metadata.Generation, now);
        }, cancellationToken, warning);
        return decision.Next is { } wake ? ReconcileResult.After(wake - now) : ReconcileResult.Done;
    }

    private static void Track(V1Alpha1ScheduledTask.TaskStatus status, List<V1Alpha1DiagnosticCommand> active, List<V1Alpha1DiagnosticCommand> owned)
    {
        status.Active = active.Count == 0 ? null : [.. active.Select(c => new V1Alpha1ScheduledTask.ActiveCommand { Name = c.Metadata.Name, Uid = c.Metadata.Uid })];
        var succeeded = owned.Where(c => c.Status?.Phase == CommandPhase.Succeeded && c.Status.CompletionTime is not null).Select(c => c.Status!.CompletionTime!.Value).ToList();
        if (succeeded.Count > 0 && (status.LastSuccessfulTime is null || succeeded.Max() > status.LastSuccessfulTime)) status.LastSuccessfulTime = succeeded.Max();
    }

    private async Task<V1Alpha1DiagnosticCommand?> CreateRunAsync(V1Alpha1ScheduledTask task, DateTimeOffset runAt, CancellationToken cancellationToken)
    {
        var name = RunName(task.Metadata.Name, runAt);
        var labels = new Dictionary<string, string>(task.Spec.Template.Metadata?.Labels ?? new Dictionary<string, string>()) { [TaskLabel] = task.Metadata.Name };
        var annotations = new Dictionary<string, string>(task.Spec.Template.Metadata?.Annotations ?? new Dictionary<string, string>()) { [ScheduledAtAnnotation] = runAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) };
        if (task.Spec.JitterSeconds is > 0 and var jitter) annotations[Controllers.DiagnosticCommands.CommandAnnotations.JitterSeconds] = jitter.ToString(CultureInfo.InvariantCulture);
        // A run is asked for by whoever asked for the task, never by what the template says (the webhook keeps what the operator writes).
        annotations.Remove(Admission.Requester.Annotation);
        if (task.Metadata.Annotations?.TryGetValue(Admission.Requester.Annotation, out var requester) == true) annotations[Admission.Requester.Annotation] = requester;
        var command = new V1Alpha1DiagnosticCommand
        {
            Metadata = new V1ObjectMeta
            {
                Name = name, NamespaceProperty = task.Metadata.NamespaceProperty, Labels = labels, Annotations = annotations,
                OwnerReferences = [new V1OwnerReference { ApiVersion = ApiGroup.ApiVersion, Kind = V1Alpha1ScheduledTask.KindName, Name = task.Metadata.Name, Uid = task.Metadata.Uid, Controller = true, BlockOwnerDeletion = true }],
            },
            Spec = KubernetesJson.Deserialize<V1Alpha1DiagnosticCommand.CommandSpec>(KubernetesJson.Serialize(task.Spec.Template.Spec)),
        };
        try
        {
            var created = await client.CustomObjects.CreateNamespacedCustomObjectAsync<V1Alpha1DiagnosticCommand>(command, ApiGroup.Name, ApiGroup.Version, task.Metadata.NamespaceProperty,
                V1Alpha1DiagnosticCommand.Plural, cancellationToken: cancellationToken);
            TaskLog.RunStarted(logger, name, task.Metadata.NamespaceProperty, task.Metadata.Name, runAt);
            await events.RecordAsync(task, EventRecorder.Normal, "RunStarted", $"Created DiagnosticCommand {name} for the run of {runAt.UtcDateTime:O}", cancellationToken);
            return created;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Created by an earlier reconcile that did not get to record it (an operator restart): not a second run.
            return null;
        }
    }

    /// <summary>The longest task name: its runs' names (the name, a dash and 8 digits of minutes) must fit a command's 63 characters.</summary>
    public const int MaxNameLength = TargetResolver.MaxNameLength - 9;

    /// <summary>Why the task's name cannot name its runs, or null.</summary>
    public static string? NameProblem(string? name) => name is { Length: > MaxNameLength }
        ? $"metadata.name: at most {MaxNameLength} characters, not {name.Length}: each run is a DiagnosticCommand named TASK-MINUTES, at most {TargetResolver.MaxNameLength} characters"
        : null;

    /// <summary>The run's command name: the task's name and the scheduled time in minutes since the epoch, as CronJob names Jobs.</summary>
    public static string RunName(string task, DateTimeOffset scheduled) => $"{task}-{scheduled.ToUnixTimeSeconds() / 60}";

    private async Task<List<V1Alpha1DiagnosticCommand>> OwnedCommandsAsync(V1Alpha1ScheduledTask task, CancellationToken cancellationToken)
    {
        var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<CustomResourceList<V1Alpha1DiagnosticCommand>>(ApiGroup.Name, ApiGroup.Version, task.Metadata.NamespaceProperty,
            V1Alpha1DiagnosticCommand.Plural, labelSelector: $"{TaskLabel}={task.Metadata.Name}", cancellationToken: cancellationToken);
        return [.. list.Items.Where(c => c.Metadata.OwnerReferences?.Any(o => o.Uid == task.Metadata.Uid) == true)];
    }

    private async Task WriteStatusAsync(V1Alpha1ScheduledTask task, Action<V1Alpha1ScheduledTask.TaskStatus> change, CancellationToken cancellationToken, (string Reason, string Message)? warning = null)
    {
        var (written, changed) = await tasks.ChangeStatusAsync(task, change, cancellationToken);
        if (changed && warning is { } w) await events.RecordAsync(written!, EventRecorder.Warning, w.Reason, w.Message, cancellationToken);
    }
}
