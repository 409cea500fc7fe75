using System.Globalization;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.V1Alpha1;
using static Ops.Operator.Api.V1Alpha1.V1Alpha1DiagnosticTrigger;

namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>
/// Decides what a trigger does now (a pure function of its spec, its status and the pods): which crossings fire,
/// which a limit holds back, and what each pod's state is and why it is not firing. A crossing is judged once: its
/// key is kept in the status with what became of it, and one older than the time last judged (less a grace for the
/// kubelet's status to arrive) is not judged again, so a crossing held back by a limit does not fire later.
/// </summary>
public static class TriggerEvaluation
{
    /// <summary>How far before the time last judged a crossing is still looked at: a pod's status reaches the API a moment after the fact.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    /// <summary>The most pods listed in the status; the rest are counted.</summary>
    public const int MaxListedPods = 100;

    public static TriggerOutcome Evaluate(TriggerInput input)
    {
        var limits = input.Spec.Limits ?? new TriggerLimits();
        var window = TimeSpan.FromSeconds(limits.WindowSeconds ?? TriggerLimits.DefaultWindowSeconds);
        var cooldown = TimeSpan.FromSeconds(limits.CooldownSeconds ?? TriggerLimits.DefaultCooldownSeconds);
        var maxActions = limits.MaxActions ?? TriggerLimits.DefaultMaxActions;
        var maxPerPod = limits.MaxActionsPerPod ?? TriggerLimits.DefaultMaxActionsPerPod;
        var now = input.Now;
        var judged = input.Status?.EvaluatedTime is { } e ? At(e) : input.CreatedAt;
        var from = Max(input.CreatedAt, judged - Grace);

        // A crossing is kept while it could be looked at again (judged after the time from which crossings are judged: it
        // was judged when seen, so it crossed before), and a fired one also while it counts against a limit.
        var keepFired = window > cooldown ? window : cooldown;
        var firings = (input.Status?.Firings ?? []).Where(f => At(f.Time) > from || (f.Outcome == TriggerFiringOutcomes.Fired && now - At(f.Time) < keepFired)).ToList();
        var known = firings.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        var totals = new TriggerTotals { Pods = input.Pods.Count, Fired = input.Status?.Totals?.Fired ?? 0, Withheld = input.Status?.Totals?.Withheld ?? 0 };
        var fire = new List<Crossing>();
        var withheld = new List<(Firing, string)>();
        var states = new List<PodState>();
        (string Reason, string Message)? limit = null;
        TimeSpan? wake = null;
        var budgetLeft = input.BudgetLeft;

        foreach (var pod in input.Pods.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            var seen = PodConditions.Observe(input.Spec.Condition, input.Spec.Target.Container, pod, now, input.Counters ?? CounterReadings.None, input.CreatedAt);
            wake = Min(wake, seen.LookAgainIn);
            var message = seen.Message;
            foreach (var crossing in seen.Crossings.OrderBy(c => c.At))
            {
                if (known.Contains(crossing.Key) || crossing.At <= from) continue;
                if (input.NotFiring is { } notFiring)
                {
                    message = $"{notFiring}; {message}";
                    continue;
                }
                var triggerFired = firings.Where(f => f.Outcome == TriggerFiringOutcomes.Fired).ToList();
                var podFired = triggerFired.Where(f => f.Pod == crossing.Pod).ToList();
                var held = podFired.Count > 0 && podFired.Max(f => At(f.Time)) + cooldown > now
                        ? ("Cooldown", $"{crossing.Message}, held back: pod {crossing.Pod} fired at {PodConditions.Format(podFired.Max(f => At(f.Time)))} and cools down for {cooldown.TotalSeconds:0} s (limits.cooldownSeconds)")
                    : InWindow(podFired, now, window) >= maxPerPod
                        ? ("MaxActionsPerPod", $"{crossing.Message}, held back: pod {crossing.Pod} caused {InWindow(podFired, now, window)} commands in the last {window.TotalSeconds:0} s (limits.maxActionsPerPod is {maxPerPod})")
                    : InWindow(triggerFired, now, window) >= maxActions
                        ? ("MaxActions", $"{crossing.Message}, held back: the trigger started {InWindow(triggerFired, now, window)} commands in the last {window.TotalSeconds:0} s (limits.maxActions is {maxActions})")
                    : budgetLeft <= 0
                        ? ("OperatorBudget", $"{crossing.Message}, held back: {input.Budget} triggered commands are running in the cluster, the operator's limit (Operator:MaxRunningTriggeredCommands)")
                    : ((string Reason, string Message)?)null;
                known.Add(crossing.Key);
                if (held is { } h)
                {
                    var record = new Firing { Pod = crossing.Pod, Key = crossing.Key, Time = Conditions.Truncate(now), Outcome = TriggerFiringOutcomes.Withheld, Message = h.Message };
                    firings.Add(record);
                    withheld.Add((record, h.Reason));
                    totals.Withheld++;
                    limit ??= h;
                    continue;
                }
                fire.Add(crossing);
                budgetLeft--;
                totals.Fired++;
                firings.Add(new Firing { Pod = crossing.Pod, Key = crossing.Key, Time = Conditions.Truncate(now), Outcome = TriggerFiringOutcomes.Fired, Message = crossing.Message,
                    Command = TriggerCommands.NameOf(input.Trigger, crossing.Pod, crossing.Key) });
            }
            states.Add(StateOf(pod.Metadata.Name, seen, message, firings, now, window, cooldown, maxPerPod, ref wake));
        }

        firings = Bounded(firings);
        var fired = firings.Where(f => f.Outcome == TriggerFiringOutcomes.Fired).ToList();
        totals.FiredInWindow = InWindow(fired, now, window);
        totals.Holding = states.Count(s => s.State == TriggerPodStates.Holding);
        totals.CoolingDown = states.Count(s => s.State is TriggerPodStates.CoolingDown);
        if (limit is null && totals.FiredInWindow >= maxActions)
        {
            var freeAt = fired.Where(f => now - At(f.Time) < window).Min(f => At(f.Time)) + window;
            limit = ("MaxActions", $"the trigger started {totals.FiredInWindow} commands in the last {window.TotalSeconds:0} s (limits.maxActions is {maxActions}): no more until {PodConditions.Format(freeAt)}");
        }
        var listed = states.OrderBy(s => Rank(s.State)).ThenBy(s => s.Pod, StringComparer.Ordinal).ToList();
        return new TriggerOutcome(fire, withheld, firings, listed, totals, limit, wake, now);
    }

    private static PodState StateOf(string pod, PodObservation seen, string message, List<Firing> firings, DateTimeOffset now, TimeSpan window, TimeSpan cooldown, int maxPerPod, ref TimeSpan? wake)
    {
        var podFired = firings.Where(f => f.Pod == pod && f.Outcome == TriggerFiringOutcomes.Fired).OrderBy(f => f.Time).ToList();
        var state = new PodState { Pod = pod, State = seen.State, Message = message, Value = seen.Value, HoldingSince = seen.HoldingSince is { } h ? Conditions.Truncate(h) : null };
        if (podFired.Count == 0)
        {
            if (firings.LastOrDefault(f => f.Pod == pod) is { Outcome: TriggerFiringOutcomes.Withheld } held) (state.State, state.Message) = (TriggerPodStates.LimitReached, held.Message);
            return state;
        }
        var last = podFired[^1];
        state.LastFiredTime = last.Time;
        state.FiredInWindow = InWindow(podFired, now, window);
        var cooled = At(last.Time) + cooldown;
        if (cooled > now && seen.State != TriggerPodStates.NotWatchable)
        {
            (state.State, state.Message) = (TriggerPodStates.CoolingDown, $"fired at {PodConditions.Format(At(last.Time))} (command {last.Command}): {last.Message}; cooling down until {PodConditions.Format(cooled)}");
            wake = Min(wake, cooled - now);
        }
        else if (state.FiredInWindow >= maxPerPod && seen.State != TriggerPodStates.NotWatchable)
        {
            var freeAt = podFired.Where(f => now - At(f.Time) < window).Min(f => At(f.Time)) + window;
            (state.State, state.Message) = (TriggerPodStates.LimitReached, $"caused {state.FiredInWindow} commands in the last {window.TotalSeconds:0} s (limits.maxActionsPerPod is {maxPerPod}): none more until {PodConditions.Format(freeAt)}; {message}");
        }
        return state;
    }

    /// <summary>The most crossings kept in the status.</summary>
    public const int MaxFirings = 200;

    /// <summary>
    /// A pod shows only its latest crossing of each kind (a container's last termination, its last readiness transition):
    /// of the withheld ones only the newest per pod and kind can be seen again, so a crash-looping pod does not fill the
    /// status. Fired ones count against the limits (at most maxActions per window). Past <see cref="MaxFirings"/> the oldest go.
    /// </summary>
    private static List<Firing> Bounded(List<Firing> firings)
    {
        var newest = firings.Where(f => f.Outcome == TriggerFiringOutcomes.Withheld)
            .GroupBy(f => (f.Pod, Kind: f.Key[..Math.Max(0, f.Key.LastIndexOf('/'))]))
            .Select(g => g.MaxBy(f => f.Time)!).ToHashSet();
        var kept = firings.Where(f => f.Outcome == TriggerFiringOutcomes.Fired || newest.Contains(f)).OrderBy(f => f.Time).ToList();
        return kept.Count > MaxFirings ? kept[^MaxFirings..] : kept;
    }

    private static int Rank(string state) => state switch
    {
        TriggerPodStates.Holding => 0,
        TriggerPodStates.LimitReached => 1,
        TriggerPodStates.CoolingDown => 2,
        TriggerPodStates.NotWatchable => 3,
        _ => 4,
    };

    private static int InWindow(IEnumerable<Firing> fired, DateTimeOffset now, TimeSpan window) => fired.Count(f => now - At(f.Time) < window);

    private static DateTimeOffset At(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>The condition in a few words, for kubectl get.</summary>
    public static string Summary(TriggerCondition condition) =>
        condition.Counter is { } c ? $"{c.Name} {(c.IsAbove ? ">" : "<")} {c.Threshold.ToString(CultureInfo.InvariantCulture)} for {(c.ForSeconds ?? CounterCondition.DefaultForSeconds).ToString(CultureInfo.InvariantCulture)}s"
        : condition.ContainerRestarted is { } r ? $"containerRestarted{(r.Reason is null ? "" : $" ({r.Reason})")}"
        : condition.ReadinessLost is { } l ? $"readinessLost for {l.ForSecondsOrDefault().ToString(CultureInfo.InvariantCulture)}s"
        : "none";
}
