using System.Globalization;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// The rollout's decisions as pure functions of what a reconcile observed: no API calls, no clock of its
/// own. The reconciler reads the AgentVersion, the DaemonSet, the nodes and the agents' health, asks
/// <see cref="Decide"/> what to do, then does it (deletes the chosen pods, writes the status, records
/// the Events). Run again on the status it wrote and the same fleet, a decision repeats itself.
/// </summary>
public static class RolloutMachine
{
    /// <summary>How often an unfinished rollout is looked at even when no pod changes.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The recorded rollout, or a new one (and its Event) when the spec names another version or image
    /// than the status records; the template running now becomes the one to roll back to.
    /// </summary>
    public static (RolloutState State, RolloutEvent? Started) Begin(RolloutState recorded, AgentTemplate target, AgentTemplate? running, DateTimeOffset now)
    {
        if (recorded.TargetVersion == target.Version && recorded.TargetImage == target.Image) return (recorded, null);
        var state = RolloutState.Start(target, running is not null && running != target ? running : null, now);
        return (state, new RolloutEvent(EventRecorder.Normal, "RolloutStarted", state.Previous is { } from
            ? $"Rolling the agents from {from.Version} ({from.Image}) to {target.Version} ({target.Image})"
            : $"Rolling the agents to {target.Version} ({target.Image})"));
    }

    /// <summary>The template the fleet converges to: the previous one while rolling back.</summary>
    public static AgentTemplate TemplateFor(RolloutState state, AgentTemplate target) => IsRollingBack(state) ? state.Previous! : target;

    public static bool IsRollingBack(RolloutState state) => state.Phase is RolloutPhase.RollingBack or RolloutPhase.RolledBack;

    /// <summary>The next state (moved on in place), the pods to replace, the Events and when to look again.</summary>
    public static RolloutDecision Decide(RolloutInput input)
    {
        var (state, fleet, health) = (input.State, input.Fleet, input.Health);
        var plan = RolloutPlan.For(input.Spec.Strategy, fleet.Nodes.Count);
        var maxUnavailable = RolloutPlan.MaxUnavailable(input.Spec.Strategy?.MaxUnavailable, fleet.Nodes.Count);
        var events = new List<RolloutEvent>();
        var replace = new List<FleetNode>();
        var wake = health.Wake;
        switch (state.Phase)
        {
            case RolloutPhase.Progressing or RolloutPhase.Paused when input.Spec.Paused == true:
                state.Phase = RolloutPhase.Paused;
                state.Progress = ("PausedBySpec", "spec.paused is true: no agent is replaced until it is false");
                wake = null;
                break;
            case RolloutPhase.Progressing or RolloutPhase.Paused:
                foreach (var failed in health.Failed.Where(f => !state.FailedNodes.Contains(f.Key)))
                {
                    state.FailedNodes.Add(failed.Key);
                    events.Add(new(EventRecorder.Warning, "HealthGateFailed", $"Node {failed.Key}: {failed.Value}"));
                }
                if (state.FailedNodes.Count > (input.Spec.Strategy?.HealthGate ?? new()).MaxFailedNodesOrDefault())
                {
                    Fail(input, events);
                    // The rollback starts on the next pass, from the status written now.
                    wake = state.Phase == RolloutPhase.RollingBack ? TimeSpan.Zero : null;
                    break;
                }
                wake = Min(wake, Advance(input, plan, maxUnavailable, replace, events));
                break;
            case RolloutPhase.RollingBack:
                var restored = fleet.Nodes.Count(n => n.RunsTarget && n.Ready);
                if (restored == fleet.Nodes.Count)
                {
                    state.Phase = RolloutPhase.RolledBack;
                    state.Progress = ("RolledBack", $"every node runs {state.Previous!.Version} again after the health gate failed");
                    events.Add(new(EventRecorder.Warning, "RolledBack", $"Every node runs {state.Previous.Version} ({state.Previous.Image}) again"));
                    wake = null;
                    break;
                }
                state.Progress = ("RollingBack", $"{restored} of {fleet.Nodes.Count} nodes run {state.Previous!.Version} again");
                replace.AddRange(PodsToReplace(fleet, health, fleet.Nodes.Count, maxUnavailable));
                wake = Min(wake, Poll);
                break;
            default:
                wake = null;
                break;
        }
        return new RolloutDecision(state, plan.Count, replace, events, wake);
    }

    /// <summary>The Event for the agents whose pods were deleted, naming the first 20 nodes.</summary>
    public static RolloutEvent Replacing(IReadOnlyList<string> nodes) => new(EventRecorder.Normal, "ReplacingAgents",
        $"Replacing the agents of {string.Join(", ", nodes.Take(20))}{(nodes.Count > 20 ? $" and {nodes.Count - 20} more" : "")}");

    /// <summary>Moves the rollout on: ends a pause that is over, completes steps whose nodes passed, and picks the next nodes to replace.</summary>
    private static TimeSpan? Advance(RolloutInput input, IReadOnlyList<PlannedStep> plan, int maxUnavailable, List<FleetNode> replace, List<RolloutEvent> events)
    {
        var (state, fleet, health, now) = (input.State, input.Fleet, input.Health, input.Now);
        while (true)
        {
            var step = plan[Math.Clamp(state.CurrentStep, 1, plan.Count) - 1];
            var record = state.Record(step.Number, now);
            if (state.Phase == RolloutPhase.Paused)
            {
                var end = PauseEnd(input.ApprovedStep, step, record);
                if (end is null || end > now)
                {
                    var approve = RolloutConditions.ApproveCommand(input.Name, step.Number);
                    state.Progress = end is null
                        ? ("AwaitingApproval", $"step {step.Number} of {plan.Count} is complete ({health.Passed.Count}/{fleet.Nodes.Count} nodes updated); approve the next step with: {approve}")
                        : ("PausedForDuration", $"step {step.Number} of {plan.Count} is complete ({health.Passed.Count}/{fleet.Nodes.Count} nodes updated); the next step starts at {end.Value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}, or earlier with: {approve}");
                    return end is { } at ? Min(at - now, TimeSpan.FromMinutes(5)) : null;
                }
                state.Phase = RolloutPhase.Progressing;
                StartStep(state, step.Number + 1, plan, now, events);
                continue;
            }
            if (health.Passed.Count >= step.Nodes && health.Waiting.Count == 0 || health.Passed.Count >= fleet.Nodes.Count)
            {
                record.CompletedAt = Conditions.Truncate(now);
                record.Result = "Completed";
                record.Message = $"{health.Passed.Count} of {fleet.Nodes.Count} nodes run {input.Spec.Version}";
                events.Add(new(EventRecorder.Normal, "StepCompleted", $"Step {step.Number} of {plan.Count} completed: {record.Message}"));
                if (step.Number == plan.Count)
                {
                    state.Phase = RolloutPhase.Succeeded;
                    state.Progress = ("RolloutComplete", $"every node runs {input.Spec.Version}");
                    events.Add(new(EventRecorder.Normal, "RolloutSucceeded", $"Every node runs {input.Spec.Version} ({input.Spec.Image})"));
                    return null;
                }
                if (step.Pause is not null)
                {
                    state.Phase = RolloutPhase.Paused;
                    events.Add(new(EventRecorder.Normal, "StepPaused", step.Pause.Duration is { } d
                        ? $"Step {step.Number} done; pausing {d} before step {step.Number + 1}"
                        : $"Step {step.Number} done; waiting for approval: {RolloutConditions.ApproveCommand(input.Name, step.Number)}"));
                    continue;
                }
                StartStep(state, step.Number + 1, plan, now, events);
                continue;
            }
            state.Progress = ($"Step{step.Number}", $"step {step.Number} of {plan.Count}: {health.Passed.Count} of {step.Nodes} nodes updated and healthy, {health.Waiting.Count} on their way");
            replace.AddRange(PodsToReplace(fleet, health, step.Nodes, maxUnavailable));
            return Poll;
        }
    }

    private static void StartStep(RolloutState state, int step, IReadOnlyList<PlannedStep> plan, DateTimeOffset now, List<RolloutEvent> events)
    {
        state.CurrentStep = step;
        state.Record(step, now);
        events.Add(new(EventRecorder.Normal, "StepStarted", $"Step {step} of {plan.Count} started: {plan[step - 1].Nodes} nodes"));
    }

    /// <summary>
    /// Old agents' pods to delete until <paramref name="wanted"/> nodes run or are getting the template,
    /// within the unavailability budget. An agent that is not Ready costs nothing: it is unavailable already.
    /// </summary>
    private static List<FleetNode> PodsToReplace(Fleet fleet, FleetHealth health, int wanted, int maxUnavailable)
    {
        // A failed node does not count towards the step: with maxFailedNodes to spare, another node takes its place.
        var coming = fleet.Nodes.Count(n => (n.Pod is null || n.RunsTarget) && !health.Failed.ContainsKey(n.Name));
        var budget = maxUnavailable - health.Unavailable;
        var replace = new List<FleetNode>();
        foreach (var node in fleet.Nodes.Where(n => n.Pod is not null && !n.RunsTarget).OrderBy(n => n.Ready))
        {
            if (coming >= wanted) break;
            if (node.Ready)
            {
                if (budget <= 0) break;
                budget--;
            }
            replace.Add(node);
            coming++;
        }
        return replace;
    }

    private static void Fail(RolloutInput input, List<RolloutEvent> events)
    {
        var state = input.State;
        var record = state.Record(state.CurrentStep, input.Now);
        var why = state.FailureReasons(input.Health);
        record.CompletedAt = Conditions.Truncate(input.Now);
        record.Result = "Failed";
        record.Message = $"health gate failed on {state.FailedNodes.Count} node(s): {why}";
        if ((input.Spec.Strategy ?? new()).AutoRollbackOrDefault() && state.Previous is not null)
        {
            state.Phase = RolloutPhase.RollingBack;
            state.Progress = ("RollingBack", $"the health gate failed at step {state.CurrentStep}; restoring {state.Previous.Version} on every node");
            events.Add(new(EventRecorder.Warning, "RollingBack", $"Health gate failed at step {state.CurrentStep} ({why}); rolling back to {state.Previous.Version}"));
        }
        else
        {
            state.Phase = RolloutPhase.Failed;
            state.Progress = ("HealthGateFailed", state.Previous is null
                ? $"the health gate failed at step {state.CurrentStep} and there is no previous version to restore; fix the version and change the spec"
                : $"the health gate failed at step {state.CurrentStep}; autoRollback is false, so the updated nodes are left as they are");
            events.Add(new(EventRecorder.Warning, "RolloutFailed", $"Health gate failed at step {state.CurrentStep}: {why}"));
        }
    }

    /// <summary>When a paused step's pause ends: at once when approved, after its duration, or never (null) without either.</summary>
    private static DateTimeOffset? PauseEnd(int? approvedStep, PlannedStep step, V1Alpha1AgentVersion.StepRecord record)
    {
        var completed = record.CompletedAt is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : DateTimeOffset.MinValue;
        if (approvedStep >= step.Number) return completed;
        return step.Pause?.Duration is { } duration ? completed + Durations.Parse(duration) : null;
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
