using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Hosting;
using Ops.ControllerRuntime.Informers;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// Converges a DiagnosticCommand: resolve and record its targets once, fan out in the background,
/// bring status up to date from the fan-out (writing only on a real change), store full outputs in
/// owned ConfigMaps when it finishes, and delete it when its TTL after finishing runs out. A command
/// found running with no fan-out here (operator restart, new leader) is resumed from its stored plan;
/// agents return recorded results, so no target runs twice.
/// </summary>
public sealed class DiagnosticCommandReconciler(
    ResourceInformer<V1Alpha1DiagnosticCommand> commands,
    CommandStartGate gate,
    CommandPermissionDenied permissionDenied,
    CommandAudit audit,
    Policies.ArtifactLedger ledger,
    CommandPlans plans,
    CommandRuns runs,
    CommandFanOut fanOut,
    CustomResourceClient<V1Alpha1DiagnosticCommand> api,
    IKubernetes client,
    EventRecorder events,
    Metrics.OperatorMetrics metrics,
    TimeProvider clock,
    ILogger<DiagnosticCommandReconciler> logger) : IReconciler<V1Alpha1DiagnosticCommand>, IControllerSetup<V1Alpha1DiagnosticCommand>
{
    /// <summary>Besides its own spec and deletion, a command wakes on its fan-out's progress (<see cref="CommandRuns"/>); a deletion cancels its targets first.</summary>
    public static void Setup(ControllerBuilder<V1Alpha1DiagnosticCommand> controller) => controller
        .Workers(sp => sp.GetRequiredService<IOptions<Hosting.OperatorOptions>>().Value.CommandWorkers)
        .WakesOnRequests()
        .Finalizer<CommandCleanupFinalizer>();

    /// <summary>Held while targets may be running (<see cref="CommandCleanupFinalizer"/>).</summary>
    public const string Finalizer = CommandCleanupFinalizer.FinalizerName;

    public async Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (!commands.TryGet(key, out var command)) return ReconcileResult.Done;
        // Being deleted: the runtime has run CommandCleanupFinalizer; nothing is left to do.
        if (command.Metadata.DeletionTimestamp is not null) return ReconcileResult.Done;
        var status = command.Status;
        try
        {
            if (status?.CompletionTime is not null) return await FinishedAsync(command, cancellationToken);
            if (status?.StartTime is null && !CommandPlans.IsRecorded(command) && runs.Find(command.Metadata.Uid) is null) return await StartAsync(command, cancellationToken);
            return await ProgressAsync(command, cancellationToken);
        }
        catch (Exception e) when (ApiErrors.IsForbidden(e))
        {
            return await permissionDenied.ReportAsync(command, ApiErrors.MessageOf(e), cancellationToken);
        }
    }

    /// <summary>
    /// Decides the start (<see cref="CommandStartGate"/>) and records the targets on the command with the finalizer and
    /// what its policies allowed, in one write, then starts the fan-out. Nothing else is written before the first target
    /// runs: the status says Running at the first progress pass (at most a second later), and a command that finishes
    /// sooner goes straight to its final status, so a one-target command costs five writes in all (plan and finalizer,
    /// result ConfigMap, finalizer off, status, Event).
    /// </summary>
    private async Task<ReconcileResult> StartAsync(V1Alpha1DiagnosticCommand command, CancellationToken cancellationToken)
    {
        var decision = await gate.DecideAsync(command, cancellationToken);
        if (decision.IsWaiting) return await QueuedAsync(command, decision.Waiting, decision.RetryAfter, cancellationToken);
        if (!decision.Plan.IsValid) return await RejectAsync(command, decision.Plan.Reason!, decision.Plan.Message!, cancellationToken);
        using (decision.Place)
        {
            // Null when gone, its spec changed or the conflicts went on: resolved again from the fresh copy a moment later.
            if (await plans.RecordAsync(command, decision.Plan.Targets, Finalizer, clock.GetUtcNow(), CommandAnnotations.OfPolicies(decision.Policies), cancellationToken) is not { } recorded)
            {
                return ReconcileResult.After(TimeSpan.FromSeconds(1));
            }
            runs.GetOrStart(recorded.Stored, recorded.Plan.Targets);
            audit.Started(recorded.Stored, recorded.Plan.Targets.Count);
        }
        return ReconcileResult.Done;
    }

    /// <summary>Waits to start; says why in condition Queued (written when the reason changes), and looks again later.</summary>
    private async Task<ReconcileResult> QueuedAsync(V1Alpha1DiagnosticCommand command, string? why, TimeSpan after, CancellationToken cancellationToken)
    {
        if (why is not null && Conditions.Find(command.Status?.Conditions, ConditionTypes.Queued)?.Message != why)
        {
            await WriteStatusAsync(command, status =>
            {
                status.Phase ??= CommandPhase.Pending;
                Conditions.Set(status.Conditions!, ConditionTypes.Queued, true, "ConcurrencyLimit", why, command.Metadata.Generation, clock.GetUtcNow());
            }, cancellationToken);
        }
        return ReconcileResult.After(after);
    }

    private async Task<ReconcileResult> RejectAsync(V1Alpha1DiagnosticCommand command, string reason, string message, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        CommandLog.Rejected(logger, command.Metadata.NamespaceProperty, command.Metadata.Name, reason, message);
        audit.Refused(command, reason);
        var written = await WriteStatusAsync(command, status =>
        {
            status.Phase = CommandPhase.Failed;
            status.StartTime = status.CompletionTime = Conditions.Truncate(now);
            status.Targets = new V1Alpha1DiagnosticCommand.TargetCounts();
            Conditions.Set(status.Conditions!, ConditionTypes.Accepted, false, reason, message, command.Metadata.Generation, now);
            Conditions.Set(status.Conditions!, ConditionTypes.Complete, true, CommandPhase.Failed, message, command.Metadata.Generation, now);
            Conditions.Set(status.Conditions!, ConditionTypes.Failed, true, reason, message, command.Metadata.Generation, now);
        }, cancellationToken);
        if (written is null) return ReconcileResult.Done;
        await events.RecordAsync(written, EventRecorder.Warning, reason, message + CommandSummary.RequestedBy(audit.RequesterOf(command)), cancellationToken);
        Finished(written, CommandPhase.Failed);
        return TtlAfter(written);
    }

    /// <summary>Counted where the final status was written, once per command (a replay finds it finished and writes nothing).</summary>
    private void Finished(V1Alpha1DiagnosticCommand command, string phase)
    {
        metrics.Commands.WithLabels(command.Spec.Action, phase).Inc();
        if (command.Status?.StartTime is { } start && command.Status.CompletionTime is { } end) metrics.CommandDuration.WithLabels(command.Spec.Action).Observe(Math.Max(0, (end - start).TotalSeconds));
    }

    private async Task<ReconcileResult> ProgressAsync(V1Alpha1DiagnosticCommand command, CancellationToken cancellationToken)
    {
        var run = runs.Find(command.Metadata.Uid);
        var plan = run is null ? await plans.LoadAsync(command, cancellationToken) : null;
        if (run is not null && !CommandPlans.IsRecorded(command))
        {
            // Started a moment ago and the cache has not caught up with the plan's write: the finalizer must be seen to be removed.
            if (await api.GetAsync(NamespacedName.Of(command), cancellationToken) is not { } fresh || fresh.Metadata.Uid != command.Metadata.Uid) return ReconcileResult.Done;
            command = fresh;
        }
        if (run is null)
        {
            // The cache may not have our own last write yet: a command we finished a moment ago must not be run again.
            if (await api.GetAsync(NamespacedName.Of(command), cancellationToken) is not { } fresh || fresh.Metadata.Uid != command.Metadata.Uid) return ReconcileResult.Done;
            if (fresh.Metadata.DeletionTimestamp is not null) return ReconcileResult.Done;
            // Finished, and the cache has not caught up: answer for the fresh object. Its completion is a status-only
            // change, which wakes nobody, so "done" here would leave a TTL of 0 never acted on.
            if (fresh.Status?.CompletionTime is not null) return await FinishedAsync(fresh, cancellationToken);
            if (plan is null) return await RejectAsync(command, "PlanLost", $"the plan of this command ({CommandPlans.Location(command)}) is gone; create the command again", cancellationToken);
            if (!plan.Intact) return await RejectAsync(command, "PlanTampered", $"the plan of this command ({CommandPlans.Location(command)}) was changed after it started, not by the operator, and is not run; create the command again", cancellationToken);
            CommandLog.Resuming(logger, command.Metadata.NamespaceProperty, command.Metadata.Name, plan.Targets.Count);
            runs.GetOrStart(command, plan.Targets);
            // A resumed cancelled command starts nothing; what still runs from before is cancelled on the agents.
            if (command.Spec.Cancel == true) await fanOut.CancelCommandAsync(command.Metadata.Uid, plan.Targets.Select(t => t.Node), cancellationToken);
            // The resumed fan-out knows nothing yet (the agents answer within moments with what they
            // recorded): writing now would show finished targets as pending again. It asks for a reconcile.
            return ReconcileResult.Done;
        }
        if (command.Spec.Cancel == true) run.Cancel();

        // Finished first, records second: the last target's record may land between the two reads, and records read
        // before it would end the command with that target still running (seen under containerd: phase Running, Complete=True).
        var finished = run.IsFinished;
        var records = run.Records;
        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (finished)
        {
            foreach (var shard in ResultShards.Pack(command, records.Where(r => r.IsFinished).OrderBy(r => r.Target.Key, StringComparer.Ordinal), firstShard: 0))
            {
                await ResultShards.WriteAsync(client, shard, cancellationToken);
                foreach (var k in shard.Data.Keys.Concat(shard.BinaryData?.Keys ?? [])) refs[k] = shard.Metadata.Name;
            }
        }
        // Nothing runs any more: the finalizer goes first, so that whoever sees the command complete can delete it at once.
        if (finished) await api.SetFinalizerAsync(command, Finalizer, present: false, cancellationToken);
        var specChanged = await SpecChangedAsync(command, plan, cancellationToken);
        var now = clock.GetUtcNow();
        var resultRefs = records.Where(r => refs.ContainsKey(ResultShards.KeyOf(r.Target)))
            .ToDictionary(r => r.Target.Key, r => refs[ResultShards.KeyOf(r.Target)], StringComparer.Ordinal);
        var (counts, phase, results, omitted) = CommandStatusBuilder.Build(records, resultRefs, run.CancelRequested);
        var firstWrite = command.Status?.StartTime is null;
        var written = await WriteStatusAsync(command, status =>
        {
            if (firstWrite)
            {
                status.StartTime = Conditions.Truncate(CommandPlans.StartedAt(command) ?? now);
                Conditions.Set(status.Conditions!, ConditionTypes.Accepted, true, "TargetsResolved", $"running {command.Spec.Action} on {CommandSummary.Targets(records.Count)}{CommandSummary.AllowedBy(command)}", command.Metadata.Generation, now);
                Conditions.Remove(status.Conditions!, ConditionTypes.Queued);
            }
            status.Phase = phase == CommandPhase.Pending ? CommandPhase.Running : phase;
            status.Targets = counts;
            status.Results = results.Count == 0 ? null : results;
            status.OmittedResults = omitted == 0 ? null : omitted;
            Conditions.Remove(status.Conditions!, ConditionTypes.PermissionDenied);
            if (specChanged) Conditions.Set(status.Conditions!, ConditionTypes.SpecChangeIgnored, true, "SpecFixedAtStart", $"spec changed after the command started (generation {command.Metadata.Generation}); only cancel is acted on, the rest runs as started", command.Metadata.Generation, now);
            if (run.CancelRequested) Conditions.Set(status.Conditions!, ConditionTypes.Cancelling, true, "CancelRequested", "spec.cancel is true: targets not started are skipped, running ones are cancelled on their agents", command.Metadata.Generation, now);
            if (finished)
            {
                status.CompletionTime = Conditions.Truncate(now);
                Conditions.Remove(status.Conditions!, ConditionTypes.Cancelling);
                Conditions.Set(status.Conditions!, ConditionTypes.Complete, true, phase, CommandSummary.Of(counts, phase), command.Metadata.Generation, now);
                if (phase == CommandPhase.Failed) Conditions.Set(status.Conditions!, ConditionTypes.Failed, true, "TargetsFailed", CommandSummary.Of(counts, phase) + CommandSummary.FirstFailure(records), command.Metadata.Generation, now);
            }
        }, cancellationToken);
        if (written is not null && firstWrite && !finished)
        {
            await events.RecordAsync(written, EventRecorder.Normal, "Started", $"Started {command.Spec.Action} on {CommandSummary.Targets(records.Count)}{CommandSummary.RequestedBy(audit.RequesterOf(command))}", cancellationToken);
        }
        if (written is null || !finished) return ReconcileResult.Done;

        await events.RecordAsync(written, phase == CommandPhase.Succeeded ? EventRecorder.Normal : EventRecorder.Warning, phase, CommandSummary.Of(counts, phase) + CommandSummary.FirstFailure(records) + CommandSummary.RequestedBy(audit.RequesterOf(command)), cancellationToken);
        Finished(written, phase);
        audit.Finished(written);
        await ledger.AddAsync(written, cancellationToken);
        runs.Forget(command.Metadata.Uid);
        return TtlAfter(written);
    }

    private async Task<ReconcileResult> FinishedAsync(V1Alpha1DiagnosticCommand command, CancellationToken cancellationToken)
    {
        // Finishing may have been interrupted between the status write and the finalizer removal.
        await api.SetFinalizerAsync(command, Finalizer, present: false, cancellationToken);
        runs.Forget(command.Metadata.Uid);
        var ttl = TtlAfter(command);
        if (ttl.RequeueAfter is { } wait && wait > TimeSpan.Zero) return ttl;
        CommandLog.TtlExpired(logger, command.Metadata.NamespaceProperty, command.Metadata.Name);
        await api.DeleteAsync(command, cancellationToken);
        return ReconcileResult.Done;
    }

    private async Task<bool> SpecChangedAsync(V1Alpha1DiagnosticCommand command, CommandPlans.Plan? plan, CancellationToken cancellationToken)
    {
        var accepted = Conditions.Find(command.Status?.Conditions, ConditionTypes.Accepted);
        if (accepted?.ObservedGeneration == command.Metadata.Generation) return false;
        plan ??= await plans.LoadAsync(command, cancellationToken);
        return plan is not null && plan.SpecHash != CommandPlans.SpecHash(command.Spec);
    }

    private async Task<V1Alpha1DiagnosticCommand?> WriteStatusAsync(V1Alpha1DiagnosticCommand command, Action<V1Alpha1DiagnosticCommand.CommandStatus> change, CancellationToken cancellationToken) =>
        (await api.ChangeStatusAsync(command, change, cancellationToken)).Stored;

    private ReconcileResult TtlAfter(V1Alpha1DiagnosticCommand command)
    {
        var finishedAt = command.Status?.CompletionTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : clock.GetUtcNow();
        var wait = finishedAt + TimeSpan.FromSeconds(command.Spec.TtlSecondsAfterFinishedOrDefault()) - clock.GetUtcNow();
        return ReconcileResult.After(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
    }
}
