using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Hosting;
using Ops.ControllerRuntime.Informers;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.Operator.Hosting;

namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>
/// Converges a DiagnosticTrigger: checks its spec, reads the pods its selector matches (from the API, every few
/// seconds: an informer over every pod of the cluster would cost every install its memory), judges them with
/// <see cref="TriggerEvaluation"/>, starts a command for each crossing the limits allow, prunes finished commands
/// beyond the history limits, and writes each pod's state. A crossing's command is named after it, so seeing the
/// crossing again (an operator restart, a leader change) finds the command instead of starting another.
/// </summary>
public sealed class DiagnosticTriggerReconciler(
    CustomResourceClient<V1Alpha1DiagnosticTrigger> triggers,
    CustomResourceClient<V1Alpha1DiagnosticCommand> commands,
    ResourceInformer<V1Alpha1DiagnosticCommand> commandCache,
    TriggerSpecCheck check,
    CounterWatchBook watches,
    IKubernetes client,
    EventRecorder events,
    Metrics.OperatorMetrics metrics,
    IOptions<OperatorOptions> options,
    TimeProvider clock,
    ILogger<DiagnosticTriggerReconciler> logger) : IReconciler<V1Alpha1DiagnosticTrigger>, IControllerSetup<V1Alpha1DiagnosticTrigger>
{
    /// <summary>
    /// A trigger wakes when one of its commands changes (history, the active list, the operator's budget), when a DiagnosticPolicy
    /// changes, and when the agents report a change of one of its counter watches (<see cref="CounterWatchSync"/>).
    /// </summary>
    public static void Setup(ControllerBuilder<V1Alpha1DiagnosticTrigger> controller) => controller
        .Workers(2)
        .WakesOnRequests()
        .Owns<V1Alpha1DiagnosticCommand>()
        .Watches<V1Alpha1DiagnosticPolicy>((_, all) => all.Select(NamespacedName.Of));

    /// <summary>How often the pods are read again while nothing sooner is due: a restart or lost readiness is seen within this.</summary>
    public static readonly TimeSpan PodPollInterval = TimeSpan.FromSeconds(5);

    /// <summary>How often the time judged up to is written when nothing else changed (the status is otherwise written only on a change).</summary>
    public static readonly TimeSpan EvaluatedTimeRefresh = TimeSpan.FromMinutes(5);

    public async Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (await triggers.GetAsync(key, cancellationToken) is not { } trigger || trigger.Metadata.DeletionTimestamp is not null)
        {
            watches.Want(key, []);
            return ReconcileResult.Done;
        }
        var now = clock.GetUtcNow();
        var generation = trigger.Metadata.Generation;
        if (check.Refusal(trigger) is { } refused)
        {
            watches.Want(key, []);
            await WriteAsync(trigger, s =>
            {
                Conditions.Set(s.Conditions!, TriggerConditions.Ready, false, refused.Reason, refused.Message, generation, now);
                Conditions.Set(s.Conditions!, TriggerConditions.Active, false, "NotReady", "the spec must be mended first (see Ready)", generation, now);
            }, [(EventRecorder.Warning, refused.Reason, refused.Message)], cancellationToken);
            return ReconcileResult.Done;
        }

        var created = trigger.Metadata.CreationTimestamp is { } c ? new DateTimeOffset(DateTime.SpecifyKind(c, DateTimeKind.Utc)) : now;
        var expireAt = trigger.Spec.Limits?.ExpireAfterSeconds is { } expireAfter ? created.AddSeconds(expireAfter) : (DateTimeOffset?)null;
        var expired = expireAt <= now;
        var notFiring = expired ? $"the trigger expired at {PodConditions.Format(expireAt!.Value)} (limits.expireAfterSeconds)"
            : trigger.Spec.Suspend == true ? "the trigger is suspended (spec.suspend)" : null;

        var owned = commandCache.Items.Where(cmd => cmd.Metadata.NamespaceProperty == trigger.Metadata.NamespaceProperty
            && cmd.Metadata.OwnerReferences?.Any(o => o.Uid == trigger.Metadata.Uid) == true).ToList();
        await CommandHistory.PruneAsync(commands, owned, trigger.Spec.SuccessfulHistoryLimitOrDefault(), trigger.Spec.FailedHistoryLimitOrDefault(), cancellationToken);
        var budget = options.Value.MaxRunningTriggeredCommands;
        var running = commandCache.Items.Count(cmd => cmd.Metadata.Labels?.ContainsKey(TriggerCommands.TriggerLabel) == true && cmd.Status?.CompletionTime is null && cmd.Metadata.DeletionTimestamp is null);
        var pods = expired ? [] : await PodsAsync(trigger, cancellationToken);
        // A counter condition is judged by the agents: this says which watches the trigger wants now, and reads what they last reported.
        var wanted = TriggerWatches.For(trigger, pods);
        watches.Want(key, wanted);
        var readings = new CounterReadings(trigger.Metadata.Uid, wanted.Select(w => watches.StateOf(w.Watch.Id)).OfType<Agent.V1.WatchState>().ToDictionary(s => s.Id, StringComparer.Ordinal));
        var outcome = TriggerEvaluation.Evaluate(new TriggerInput(trigger.Metadata.Name, trigger.Spec, created, trigger.Status, pods, notFiring, budget - running, budget, now, readings));

        var recorded = new List<(string Type, string Reason, string Message)>();
        foreach (var crossing in outcome.Fire)
        {
            var command = await StartAsync(trigger, crossing, cancellationToken);
            metrics.TriggerFired.WithLabels(ConditionKind(trigger.Spec.Condition)).Inc();
            recorded.Add((EventRecorder.Normal, "Fired", $"pod {crossing.Pod}: {crossing.Message}; started DiagnosticCommand {command}"));
        }
        foreach (var (held, reason) in outcome.Withheld)
        {
            TriggerLog.Withheld(logger, trigger.Metadata.NamespaceProperty, trigger.Metadata.Name, held.Pod, held.Message ?? "");
            metrics.TriggerWithheld.WithLabels(reason).Inc();
            recorded.Add((EventRecorder.Warning, "LimitReached", held.Message ?? ""));
        }
        var wasExpired = Conditions.Find(trigger.Status?.Conditions, TriggerConditions.Active)?.Reason == "Expired";
        if (expired && !wasExpired) recorded.Add((EventRecorder.Normal, "Expired", $"{notFiring}: it fires no more and stops watching its pods"));

        var active = owned.Where(cmd => cmd.Status?.CompletionTime is null && cmd.Metadata.DeletionTimestamp is null).Select(cmd => cmd.Metadata.Name)
            .Concat(outcome.Fire.Select(f => TriggerCommands.NameOf(trigger.Metadata.Name, f.Pod, f.Key))).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var before = trigger.Status is null ? "" : KubernetesJson.Serialize(trigger.Status);
        await WriteAsync(trigger, s =>
        {
            s.ConditionSummary = TriggerEvaluation.Summary(trigger.Spec.Condition);
            s.ExpireTime = expireAt is { } e ? Conditions.Truncate(e) : null;
            s.Totals = outcome.Totals;
            s.Pods = outcome.Pods.Count == 0 ? null : [.. outcome.Pods.Take(TriggerEvaluation.MaxListedPods)];
            s.OmittedPods = outcome.Pods.Count > TriggerEvaluation.MaxListedPods ? outcome.Pods.Count - TriggerEvaluation.MaxListedPods : null;
            s.Firings = outcome.Firings.Count == 0 ? null : outcome.Firings;
            s.Active = active.Count == 0 ? null : [.. active.Select(name => new V1Alpha1ScheduledTask.ActiveCommand { Name = name })];
            if (outcome.Firings.LastOrDefault(f => f.Outcome == TriggerFiringOutcomes.Fired) is { } last && (s.LastFiredTime is null || last.Time > s.LastFiredTime)) s.LastFiredTime = last.Time;
            Conditions.Set(s.Conditions!, TriggerConditions.Ready, true, "Valid", $"watching pods for {s.ConditionSummary}; runs {trigger.Spec.Action.Action} on the pod that fires", generation, now);
            var (activeReason, activeMessage) = expired ? ("Expired", notFiring!) : notFiring is not null ? ("Suspended", notFiring) : ("Watching", $"{outcome.Totals.Pods} pods watched");
            Conditions.Set(s.Conditions!, TriggerConditions.Active, notFiring is null, activeReason, activeMessage, generation, now);
            if (outcome.Limit is { } limit) Conditions.Set(s.Conditions!, TriggerConditions.LimitReached, true, limit.Reason, limit.Message, generation, now);
            else Conditions.Set(s.Conditions!, TriggerConditions.LimitReached, false, "WithinLimits", "no limit holds crossings back", generation, now);
            KeepRecentValues(s, trigger.Status, before, now);
            // The time judged up to moves with every written change, and at least every few minutes (so a crossing a limit held back is never judged again).
            if (s.EvaluatedTime is not { } judged || KubernetesJson.Serialize(s) != before || now - new DateTimeOffset(DateTime.SpecifyKind(judged, DateTimeKind.Utc)) >= EvaluatedTimeRefresh) s.EvaluatedTime = Conditions.Truncate(outcome.EvaluatedTime);
        }, recorded, cancellationToken);
        if (expired) return ReconcileResult.Done;
        var wake = outcome.Wake is { } w && w < PodPollInterval ? w : PodPollInterval;
        return ReconcileResult.After(wake < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : wake);
    }

    private static string ConditionKind(V1Alpha1DiagnosticTrigger.TriggerCondition condition) =>
        condition.Counter is not null ? "counter" : condition.ContainerRestarted is not null ? "containerRestarted" : "readinessLost";

    /// <summary>How often a counter's value alone is written to the status: values move at every report, states seldom.</summary>
    public static readonly TimeSpan ValueRefresh = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The pods' counter values stay as written when nothing else changed and they were written less than <see cref="ValueRefresh"/>
    /// ago, so a counter trigger's status is not rewritten at every report of every pod.
    /// </summary>
    private static void KeepRecentValues(V1Alpha1DiagnosticTrigger.TriggerStatus next, V1Alpha1DiagnosticTrigger.TriggerStatus? written, string before, DateTimeOffset now)
    {
        if (written?.EvaluatedTime is not { } at || now - new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) >= ValueRefresh || next.Pods is null) return;
        var old = (written.Pods ?? []).ToDictionary(p => p.Pod, p => p.Value, StringComparer.Ordinal);
        var fresh = next.Pods.Select(p => p.Value).ToList();
        foreach (var pod in next.Pods) pod.Value = old.GetValueOrDefault(pod.Pod);
        if (KubernetesJson.Serialize(next) == before) return;
        for (var i = 0; i < next.Pods.Count; i++) next.Pods[i].Value = fresh[i];
    }

    /// <summary>The pods of the trigger's namespace its selector matches, read from the API (paged), those being deleted left out.</summary>
    private async Task<List<V1Pod>> PodsAsync(V1Alpha1DiagnosticTrigger trigger, CancellationToken cancellationToken)
    {
        var pods = await ListPages.PodsAsync(client, trigger.Metadata.NamespaceProperty, LabelSelectors.ToQuery(trigger.Spec.Target.Selector), cancellationToken);
        return [.. pods.Where(p => p.Metadata.DeletionTimestamp is null)];
    }

    private async Task<string> StartAsync(V1Alpha1DiagnosticTrigger trigger, Crossing crossing, CancellationToken cancellationToken)
    {
        var command = TriggerCommands.For(trigger, crossing);
        try
        {
            await client.CustomObjects.CreateNamespacedCustomObjectAsync<V1Alpha1DiagnosticCommand>(command, ApiGroup.Name, ApiGroup.Version, trigger.Metadata.NamespaceProperty,
                V1Alpha1DiagnosticCommand.Plural, cancellationToken: cancellationToken);
            TriggerLog.Fired(logger, trigger.Metadata.NamespaceProperty, trigger.Metadata.Name, crossing.Pod, crossing.Message, command.Metadata.Name);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Started by an earlier reconcile that did not get to record it (an operator restart, a lost status write): not a second command.
        }
        return command.Metadata.Name;
    }

    private async Task WriteAsync(V1Alpha1DiagnosticTrigger trigger, Action<V1Alpha1DiagnosticTrigger.TriggerStatus> change, List<(string Type, string Reason, string Message)> recorded, CancellationToken cancellationToken)
    {
        var (written, changed) = await triggers.ChangeStatusAsync(trigger, change, cancellationToken);
        // Events follow the status that records them, so a conflict that repeats the reconcile does not repeat them.
        if (!changed || written is null) return;
        foreach (var (type, reason, message) in recorded) await events.RecordAsync(written, type, reason, message, cancellationToken);
    }
}
