using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.Operator.Agents;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Hosting;
using Ops.Operator.Runtime;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// Rolls the agent DaemonSet to an AgentVersion. The operator owns the template's agent image and
/// version label and keeps the DaemonSet on OnDelete, so no agent is replaced unless this reconciler
/// deletes its pod: node by node, canary nodes first, each step's count at a time, never more agents
/// unavailable than maxUnavailable. An updated node counts once its agent has been Ready for
/// minReadySeconds, reports the new version over gRPC and passes agent.selftest; more failed nodes than
/// maxFailedNodes fail the rollout, which with autoRollback restores the previous image and replaces the
/// updated pods. Level-triggered: the step in progress is read from the status, the nodes from the API.
/// </summary>
public sealed class AgentVersionReconciler(
    CustomResourceClient<V1Alpha1AgentVersion> versions,
    ResourceInformer<V1Alpha1AgentVersion> informer,
    IKubernetes client,
    AgentHealthGate gate,
    RolloutMetrics metrics,
    EventRecorder events,
    IOptions<OperatorOptions> options,
    TimeProvider clock,
    ILogger<AgentVersionReconciler> logger) : IReconciler<V1Alpha1AgentVersion>
{
    /// <summary>How often an unfinished rollout is looked at even when no pod changes.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    /// <summary>Restarts of an updated agent that make its node fail at once rather than at the ready timeout.</summary>
    private const int CrashLoopRestarts = 2;

    public async Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (await versions.GetAsync(key, cancellationToken) is not { } av || av.Metadata.DeletionTimestamp is not null) return ReconcileResult.Done;
        var now = clock.GetUtcNow();
        var pending = new List<(string Type, string Reason, string Message)>();

        if (NewestOf(av) is { } newer && newer.Metadata.Name != av.Metadata.Name)
        {
            await WriteAsync(av, s => Conditions.Set(s.Conditions!, RolloutConditions.Active, false, "Superseded",
                $"AgentVersion {newer.Metadata.Name} is newer and owns the agent fleet; this one is not acted on", av.Metadata.Generation, now), pending, cancellationToken);
            return ReconcileResult.Done;
        }

        var ns = options.Value.Namespace;
        var dsName = options.Value.AgentDaemonSet;
        var daemonSet = await ReadDaemonSetAsync(ns, dsName, cancellationToken);
        if (daemonSet is null)
        {
            await WriteAsync(av, s =>
            {
                RolloutConditions.SetActive(s.Conditions!, av.Metadata.Generation, now);
                Conditions.Set(s.Conditions!, RolloutConditions.Progressing, false, "DaemonSetNotFound",
                    $"the agent DaemonSet {ns}/{dsName} does not exist: install the agent (the Helm chart) first", av.Metadata.Generation, now);
            }, pending, cancellationToken);
            return ReconcileResult.After(TimeSpan.FromSeconds(30));
        }

        var target = new AgentTemplate(av.Spec.Version, av.Spec.Image);
        var state = RolloutState.From(av.Status);
        if (state.TargetVersion != target.Version || state.TargetImage != target.Image)
        {
            var current = AgentTemplate.Of(daemonSet.Spec.Template);
            state = RolloutState.Start(target, current is not null && current != target ? current : null, now);
            pending.Add((EventRecorder.Normal, "RolloutStarted", state.Previous is { } from
                ? $"Rolling the agents from {from.Version} ({from.Image}) to {target.Version} ({target.Image})"
                : $"Rolling the agents to {target.Version} ({target.Image})"));
        }

        var rollingBack = state.Phase is RolloutPhase.RollingBack or RolloutPhase.RolledBack;
        var templateNow = rollingBack ? state.Previous! : target;
        if (state.Phase != RolloutPhase.Failed && templateNow.ApplyTo(daemonSet))
        {
            if (!await ReplaceDaemonSetAsync(daemonSet, cancellationToken)) return ReconcileResult.After(TimeSpan.FromSeconds(1));
            logger.LogInformation("Agent DaemonSet {Namespace}/{Name} now runs {Image} (OnDelete)", ns, dsName, templateNow.Image);
        }

        var nodes = (await client.CoreV1.ListNodeAsync(cancellationToken: cancellationToken)).Items;
        var pods = (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: AgentRegistry.AgentLabel, cancellationToken: cancellationToken)).Items;
        gate.Forget(pods.Select(p => p.Metadata.Uid).ToHashSet(StringComparer.Ordinal));
        var fleet = Fleet.Of(daemonSet, nodes, pods, templateNow, av.Spec.Strategy?.Canary?.NodeSelector);
        var plan = RolloutPlan.For(av.Spec.Strategy, fleet.Nodes.Count);
        var maxUnavailable = RolloutPlan.MaxUnavailable(av.Spec.Strategy?.MaxUnavailable, fleet.Nodes.Count);
        var health = await AssessAsync(av, fleet, templateNow, rollingBack, now, cancellationToken);
        var wake = health.Wake;

        switch (state.Phase)
        {
            case RolloutPhase.Progressing or RolloutPhase.Paused when av.Spec.Paused == true:
                state.Phase = RolloutPhase.Paused;
                state.Progress = ("PausedBySpec", "spec.paused is true: no agent is replaced until it is false");
                wake = null;
                break;
            case RolloutPhase.Progressing or RolloutPhase.Paused:
                foreach (var failed in health.Failed.Where(f => !state.FailedNodes.Contains(f.Key)))
                {
                    state.FailedNodes.Add(failed.Key);
                    pending.Add((EventRecorder.Warning, "HealthGateFailed", $"Node {failed.Key}: {failed.Value}"));
                }
                if (state.FailedNodes.Count > (av.Spec.Strategy?.HealthGate?.MaxFailedNodes ?? 0))
                {
                    Fail(av, state, health, now, pending);
                    // The rollback starts on the next pass, from the status written now.
                    wake = state.Phase == RolloutPhase.RollingBack ? TimeSpan.Zero : null;
                    break;
                }
                wake = Min(wake, await AdvanceAsync(av, state, plan, fleet, health, maxUnavailable, now, pending, cancellationToken));
                break;
            case RolloutPhase.RollingBack:
                var restored = fleet.Nodes.Count(n => n.RunsTarget && n.Ready);
                if (restored == fleet.Nodes.Count)
                {
                    state.Phase = RolloutPhase.RolledBack;
                    state.Progress = ("RolledBack", $"every node runs {state.Previous!.Version} again after the health gate failed");
                    pending.Add((EventRecorder.Warning, "RolledBack", $"Every node runs {state.Previous.Version} ({state.Previous.Image}) again"));
                    wake = null;
                    break;
                }
                state.Progress = ("RollingBack", $"{restored} of {fleet.Nodes.Count} nodes run {state.Previous!.Version} again");
                await ReplaceAsync(fleet, health, fleet.Nodes.Count, maxUnavailable, pending, cancellationToken);
                wake = Min(wake, Poll);
                break;
            default:
                wake = null;
                break;
        }

        await WriteAsync(av, s => state.WriteTo(s, plan.Count, fleet, health, av.Metadata.Generation, now), pending, cancellationToken);
        metrics.Record(av.Metadata.Name, state.CurrentStep, state.Phase);
        return wake is { } after ? ReconcileResult.After(after) : ReconcileResult.Done;
    }

    /// <summary>Moves the rollout on: ends a pause that is over, completes steps whose nodes passed, and replaces the next nodes' agents.</summary>
    private async Task<TimeSpan?> AdvanceAsync(V1Alpha1AgentVersion av, RolloutState state, IReadOnlyList<PlannedStep> plan, Fleet fleet, FleetHealth health,
        int maxUnavailable, DateTimeOffset now, List<(string, string, string)> pending, CancellationToken cancellationToken)
    {
        while (true)
        {
            var step = plan[Math.Clamp(state.CurrentStep, 1, plan.Count) - 1];
            var record = state.Record(step.Number, now);
            if (state.Phase == RolloutPhase.Paused)
            {
                var end = PauseEnd(av, step, record);
                if (end is null || end > now)
                {
                    var approve = RolloutConditions.ApproveCommand(av.Metadata.Name, step.Number);
                    state.Progress = end is null
                        ? ("AwaitingApproval", $"step {step.Number} of {plan.Count} is complete ({health.Passed.Count}/{fleet.Nodes.Count} nodes updated); approve the next step with: {approve}")
                        : ("PausedForDuration", $"step {step.Number} of {plan.Count} is complete ({health.Passed.Count}/{fleet.Nodes.Count} nodes updated); the next step starts at {end.Value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}, or earlier with: {approve}");
                    return end is { } at ? Min(at - now, TimeSpan.FromMinutes(5)) : null;
                }
                state.Phase = RolloutPhase.Progressing;
                state.CurrentStep = step.Number + 1;
                state.Record(state.CurrentStep, now);
                pending.Add((EventRecorder.Normal, "StepStarted", $"Step {state.CurrentStep} of {plan.Count} started: {plan[state.CurrentStep - 1].Nodes} nodes"));
                continue;
            }
            if (health.Passed.Count >= step.Nodes && health.Waiting.Count == 0 || health.Passed.Count >= fleet.Nodes.Count)
            {
                record.CompletedAt = Conditions.Truncate(now);
                record.Result = "Completed";
                record.Message = $"{health.Passed.Count} of {fleet.Nodes.Count} nodes run {av.Spec.Version}";
                pending.Add((EventRecorder.Normal, "StepCompleted", $"Step {step.Number} of {plan.Count} completed: {record.Message}"));
                if (step.Number == plan.Count)
                {
                    state.Phase = RolloutPhase.Succeeded;
                    state.Progress = ("RolloutComplete", $"every node runs {av.Spec.Version}");
                    pending.Add((EventRecorder.Normal, "RolloutSucceeded", $"Every node runs {av.Spec.Version} ({av.Spec.Image})"));
                    return null;
                }
                if (step.Pause is not null)
                {
                    state.Phase = RolloutPhase.Paused;
                    pending.Add((EventRecorder.Normal, "StepPaused", step.Pause.Duration is { } d
                        ? $"Step {step.Number} done; pausing {d} before step {step.Number + 1}"
                        : $"Step {step.Number} done; waiting for approval: {RolloutConditions.ApproveCommand(av.Metadata.Name, step.Number)}"));
                    continue;
                }
                state.CurrentStep = step.Number + 1;
                state.Record(state.CurrentStep, now);
                pending.Add((EventRecorder.Normal, "StepStarted", $"Step {state.CurrentStep} of {plan.Count} started: {plan[state.CurrentStep - 1].Nodes} nodes"));
                continue;
            }
            state.Progress = ($"Step{step.Number}", $"step {step.Number} of {plan.Count}: {health.Passed.Count} of {step.Nodes} nodes updated and healthy, {health.Waiting.Count} on their way");
            await ReplaceAsync(fleet, health, step.Nodes, maxUnavailable, pending, cancellationToken);
            return Poll;
        }
    }

    /// <summary>
    /// Deletes old agents' pods (the DaemonSet re-creates them from the current template) until
    /// <paramref name="wanted"/> nodes run or are getting the template, within the unavailability budget.
    /// An agent that is not Ready costs nothing: it is unavailable already.
    /// </summary>
    private async Task ReplaceAsync(Fleet fleet, FleetHealth health, int wanted, int maxUnavailable, List<(string, string, string)> pending, CancellationToken cancellationToken)
    {
        // A failed node does not count towards the step: with maxFailedNodes to spare, another node takes its place.
        var coming = fleet.Nodes.Count(n => (n.Pod is null || n.RunsTarget) && !health.Failed.ContainsKey(n.Name));
        var budget = maxUnavailable - health.Unavailable;
        var replaced = new List<string>();
        foreach (var node in fleet.Nodes.Where(n => n.Pod is not null && !n.RunsTarget).OrderBy(n => n.Ready))
        {
            if (coming >= wanted) break;
            if (node.Ready)
            {
                if (budget <= 0) break;
                budget--;
            }
            if (await DeletePodAsync(node.Pod!, cancellationToken)) replaced.Add(node.Name);
            coming++;
        }
        if (replaced.Count > 0) pending.Add((EventRecorder.Normal, "ReplacingAgents", $"Replacing the agents of {string.Join(", ", replaced.Take(20))}{(replaced.Count > 20 ? $" and {replaced.Count - 20} more" : "")}"));
    }

    private void Fail(V1Alpha1AgentVersion av, RolloutState state, FleetHealth health, DateTimeOffset now, List<(string, string, string)> pending)
    {
        var record = state.Record(state.CurrentStep, now);
        var why = state.FailureReasons(health);
        record.CompletedAt = Conditions.Truncate(now);
        record.Result = "Failed";
        record.Message = $"health gate failed on {state.FailedNodes.Count} node(s): {why}";
        if (av.Spec.Strategy?.AutoRollback != false && state.Previous is not null)
        {
            state.Phase = RolloutPhase.RollingBack;
            state.Progress = ("RollingBack", $"the health gate failed at step {state.CurrentStep}; restoring {state.Previous.Version} on every node");
            pending.Add((EventRecorder.Warning, "RollingBack", $"Health gate failed at step {state.CurrentStep} ({why}); rolling back to {state.Previous.Version}"));
        }
        else
        {
            state.Phase = RolloutPhase.Failed;
            state.Progress = ("HealthGateFailed", state.Previous is null
                ? $"the health gate failed at step {state.CurrentStep} and there is no previous version to restore; fix the version and change the spec"
                : $"the health gate failed at step {state.CurrentStep}; autoRollback is false, so the updated nodes are left as they are");
            pending.Add((EventRecorder.Warning, "RolloutFailed", $"Health gate failed at step {state.CurrentStep}: {why}"));
        }
    }

    /// <summary>Judges every node against the template being converged to: updated and healthy, on its way, failed, or unavailable.</summary>
    private async Task<FleetHealth> AssessAsync(V1Alpha1AgentVersion av, Fleet fleet, AgentTemplate template, bool rollingBack, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var healthGate = av.Spec.Strategy?.HealthGate;
        var minReady = TimeSpan.FromSeconds(healthGate?.MinReadySeconds ?? 30);
        var readyTimeout = TimeSpan.FromSeconds(healthGate?.ReadyTimeoutSeconds ?? 300);
        var health = new FleetHealth();
        var checks = new List<(FleetNode Node, Task<GateResult> Result)>();
        foreach (var node in fleet.Nodes)
        {
            if (!node.RunsTarget)
            {
                if (node.Pod is null) health.Waiting.Add(node.Name);
                if (!node.Ready) health.Unavailable++;
                continue;
            }
            if (!node.Ready)
            {
                health.Unavailable++;
                if (node.Restarts >= CrashLoopRestarts) health.Failed[node.Name] = $"the agent container restarted {node.Restarts} times without becoming Ready";
                else if (node.CreatedAt is { } created && now - created >= readyTimeout) health.Failed[node.Name] = $"the agent was not Ready within {readyTimeout.TotalSeconds:0}s";
                else
                {
                    health.Waiting.Add(node.Name);
                    if (node.CreatedAt is { } c) health.WakeAt(c + readyTimeout - now);
                }
                continue;
            }
            // A rollback restores what ran before; it needs the agents Ready, not gated again.
            if (rollingBack)
            {
                health.Passed.Add(node.Name);
                continue;
            }
            if (node.ReadySince is { } since && now - since < minReady)
            {
                health.Unavailable++;
                health.Waiting.Add(node.Name);
                health.WakeAt(since + minReady - now);
                continue;
            }
            checks.Add((node, gate.CheckAsync(av.Metadata.Uid, node.Pod!, template.Version, healthGate?.SelfTest != false, cancellationToken)));
        }
        foreach (var (node, check) in checks)
        {
            var result = await check;
            switch (result.Verdict)
            {
                case GateVerdict.Passed:
                    health.Passed.Add(node.Name);
                    break;
                case GateVerdict.Failed:
                    health.Unavailable++;
                    health.Failed[node.Name] = result.Message;
                    break;
                default:
                    health.Unavailable++;
                    health.Waiting.Add(node.Name);
                    health.WakeAt(TimeSpan.FromSeconds(2));
                    break;
            }
        }
        return health;
    }

    private static DateTimeOffset? PauseEnd(V1Alpha1AgentVersion av, PlannedStep step, V1Alpha1AgentVersion.StepRecord record)
    {
        var approved = av.Metadata.Annotations?.TryGetValue(RolloutConditions.ApprovedStepAnnotation, out var value) == true
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= step.Number;
        var completed = record.CompletedAt is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : DateTimeOffset.MinValue;
        if (approved) return completed;
        return step.Pause?.Duration is { } duration ? completed + Durations.Parse(duration) : null;
    }

    private V1Alpha1AgentVersion? NewestOf(V1Alpha1AgentVersion av) =>
        informer.Items.Where(v => v.Metadata.DeletionTimestamp is null && v.Metadata.Name != av.Metadata.Name).Append(av)
            .OrderByDescending(v => v.Metadata.CreationTimestamp).ThenByDescending(v => v.Metadata.Name, StringComparer.Ordinal).First();

    private async Task<V1DaemonSet?> ReadDaemonSetAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.AppsV1.ReadNamespacedDaemonSetAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Writes the template; false on a conflict (someone else changed the DaemonSet: look again).</summary>
    private async Task<bool> ReplaceDaemonSetAsync(V1DaemonSet daemonSet, CancellationToken cancellationToken)
    {
        try
        {
            await client.AppsV1.ReplaceNamespacedDaemonSetAsync(daemonSet, daemonSet.Metadata.Name, daemonSet.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    private async Task<bool> DeletePodAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: cancellationToken);
            logger.LogInformation("Deleted agent pod {Pod} on {Node} to replace it", pod.Metadata.Name, pod.Spec.NodeName);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    private async Task WriteAsync(V1Alpha1AgentVersion av, Action<V1Alpha1AgentVersion.VersionStatus> change, List<(string Type, string Reason, string Message)> pending, CancellationToken cancellationToken)
    {
        var (written, _) = await versions.ChangeStatusAsync(av, change, cancellationToken);
        // Events follow the status that records the transition, so a conflict that repeats the reconcile does not repeat them.
        if (written is null) return;
        foreach (var (type, reason, message) in pending) await events.RecordAsync(written, type, reason, message, cancellationToken);
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
