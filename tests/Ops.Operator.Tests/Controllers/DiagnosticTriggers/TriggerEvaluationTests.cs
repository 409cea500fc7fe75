using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticTriggers;
using static Ops.Operator.Tests.Controllers.DiagnosticTriggers.TestPods;
using Trigger = Ops.Operator.Api.V1Alpha1.V1Alpha1DiagnosticTrigger;

namespace Ops.Operator.Tests.Controllers.DiagnosticTriggers;

/// <summary>What a trigger decides from its spec, its status and the pods it sees: no API, no clock.</summary>
public sealed class TriggerEvaluationTests
{
    private static Trigger.TriggerSpec Restarts(string? reason = null, Trigger.TriggerLimits? limits = null) => new()
    {
        Target = new V1Alpha1DiagnosticCommand.PodTarget { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "checkout" } } },
        Condition = new Trigger.TriggerCondition { ContainerRestarted = new Trigger.ContainerRestarted { Reason = reason } },
        Action = new Trigger.TriggerAction { Action = "dotnet.stacks" },
        Limits = limits,
    };

    private static Trigger.TriggerSpec Unready(int forSeconds = 30) => new()
    {
        Target = new V1Alpha1DiagnosticCommand.PodTarget { Selector = new V1LabelSelector() },
        Condition = new Trigger.TriggerCondition { ReadinessLost = new Trigger.ReadinessLost { ForSeconds = forSeconds } },
        Action = new Trigger.TriggerAction { Action = "dotnet.stacks" },
    };

    private static TriggerOutcome Evaluate(Trigger.TriggerSpec spec, DateTimeOffset now, Trigger.TriggerStatus? status = null, string? notFiring = null, int budgetLeft = 20, params V1Pod[] pods) =>
        TriggerEvaluation.Evaluate(new TriggerInput("checkout-crash", spec, Created, status, pods, notFiring, budgetLeft, 20, now));

    [Fact]
    public void A_restart_after_the_trigger_was_created_fires_once_with_a_command_named_after_trigger_pod_and_crossing()
    {
        var pod = Restarted("checkout-1", 1, Created.AddMinutes(5));

        var first = Evaluate(Restarts(), Created.AddMinutes(5).AddSeconds(3), pods: pod);
        var again = Evaluate(Restarts(), Created.AddMinutes(6), StatusAfter(first), pods: pod);

        var crossing = Assert.Single(first.Fire);
        Assert.Equal(("checkout-1", "api", "uid-checkout-1/api/restart/1"), (crossing.Pod, crossing.Container, crossing.Key));
        Assert.Equal("container api restarted (restart 1, Error, exit code 134)", crossing.Message);
        var fired = Assert.Single(first.Firings);
        Assert.Equal(TriggerCommands.NameOf("checkout-crash", "checkout-1", crossing.Key), fired.Command);
        Assert.Matches("^checkout-crash-checkout-1-[0-9a-f]{8}$", fired.Command);
        Assert.Equal(1, first.Totals.Fired);
        Assert.Empty(again.Fire);
        Assert.Equal(1, again.Totals.Fired);
        Assert.Equal(TriggerPodStates.CoolingDown, Assert.Single(again.Pods).State);
    }

    [Fact]
    public void A_restart_from_before_the_trigger_existed_or_of_another_reason_does_not_fire_and_the_pod_says_why()
    {
        var old = Restarted("checkout-1", 4, Created.AddMinutes(-10));
        var error = Restarted("checkout-2", 1, Created.AddMinutes(1), reason: "Error");
        var oom = Restarted("checkout-3", 1, Created.AddMinutes(1), reason: "OOMKilled");

        var outcome = Evaluate(Restarts(reason: "OOMKilled"), Created.AddMinutes(2), pods: [old, error, oom]);

        Assert.Equal("checkout-3", Assert.Single(outcome.Fire).Pod);
        var states = outcome.Pods.ToDictionary(p => p.Pod);
        Assert.Equal("api last restarted for Error, not OOMKilled", states["checkout-1"].Message);
        Assert.Equal("api last restarted for Error, not OOMKilled", states["checkout-2"].Message);
        Assert.Empty(Evaluate(Restarts(), Created.AddMinutes(2), pods: old).Fire);
    }

    [Fact]
    public void A_second_restart_within_the_cooldown_is_withheld_with_the_limit_and_never_fires_later()
    {
        var spec = Restarts(limits: new Trigger.TriggerLimits { CooldownSeconds = 600, MaxActionsPerPod = 5 });
        var first = Evaluate(spec, Created.AddMinutes(1), pods: Restarted("checkout-1", 1, Created.AddSeconds(50)));

        var second = Evaluate(spec, Created.AddMinutes(3), StatusAfter(first), pods: Restarted("checkout-1", 2, Created.AddMinutes(3).AddSeconds(-2)));
        var cooled = Evaluate(spec, Created.AddMinutes(12), StatusAfter(second), pods: Restarted("checkout-1", 2, Created.AddMinutes(3).AddSeconds(-2)));

        Assert.Single(first.Fire);
        Assert.Empty(second.Fire);
        var held = Assert.Single(second.Withheld).Firing;
        Assert.Equal(TriggerFiringOutcomes.Withheld, held.Outcome);
        Assert.Equal("container api restarted (restart 2, Error, exit code 134), held back: pod checkout-1 fired at 2026-12-01T10:01:00Z and cools down for 600 s (limits.cooldownSeconds)", held.Message);
        Assert.Equal("Cooldown", second.Limit!.Value.Reason);
        Assert.Equal(1, second.Totals.Withheld);
        Assert.Equal(TriggerPodStates.CoolingDown, Assert.Single(second.Pods).State);
        // Past the cool-down the same restart is still the pod's last: judged already, it does not fire.
        Assert.Empty(cooled.Fire);
        Assert.Empty(cooled.Withheld);
        Assert.Null(cooled.Limit);
    }

    [Fact]
    public void The_trigger_fires_at_most_maxActions_within_its_sliding_window_then_again_once_the_window_has_moved()
    {
        var spec = Restarts(limits: new Trigger.TriggerLimits { MaxActions = 2, WindowSeconds = 3600 });
        var at = Created.AddMinutes(10);
        var pods = new[] { Restarted("checkout-1", 1, at), Restarted("checkout-2", 1, at), Restarted("checkout-3", 1, at) };

        var burst = Evaluate(spec, at.AddSeconds(2), pods: pods);
        var later = Evaluate(spec, at.AddMinutes(61), StatusAfter(burst), pods: [.. pods.Take(3), Restarted("checkout-4", 1, at.AddMinutes(61).AddSeconds(-1))]);

        Assert.Equal(["checkout-1", "checkout-2"], burst.Fire.Select(f => f.Pod));
        Assert.Equal("container api restarted (restart 1, Error, exit code 134), held back: the trigger started 2 commands in the last 3600 s (limits.maxActions is 2)", Assert.Single(burst.Withheld).Firing.Message);
        Assert.Equal(("MaxActions", TriggerPodStates.LimitReached), (burst.Limit!.Value.Reason, burst.Pods.Single(p => p.Pod == "checkout-3").State));
        Assert.Equal(2, burst.Totals.FiredInWindow);
        Assert.Equal("checkout-4", Assert.Single(later.Fire).Pod);
        Assert.Equal(1, later.Totals.FiredInWindow);
    }

    [Fact]
    public void Lost_readiness_holds_for_forSeconds_saying_when_it_will_fire_then_fires_once_for_that_transition()
    {
        var since = Created.AddMinutes(2);
        var pod = Running("checkout-1", ready: false, readySince: since);

        var holding = Evaluate(Unready(30), since.AddSeconds(10), pods: pod);
        var crossed = Evaluate(Unready(30), since.AddSeconds(31), StatusAfter(holding), pods: pod);
        var still = Evaluate(Unready(30), since.AddSeconds(40), StatusAfter(crossed), pods: pod);

        Assert.Empty(holding.Fire);
        var state = Assert.Single(holding.Pods);
        Assert.Equal((TriggerPodStates.Holding, since.UtcDateTime), (state.State, state.HoldingSince));
        Assert.Equal("not Ready since 2026-12-01T10:02:00Z: fires at 2026-12-01T10:02:30Z if still not Ready (forSeconds 30)", state.Message);
        Assert.Equal(TimeSpan.FromSeconds(20), holding.Wake);
        Assert.Equal($"uid-checkout-1/unready/{since.ToUnixTimeSeconds()}", Assert.Single(crossed.Fire).Key);
        Assert.Empty(still.Fire);
    }

    [Fact]
    public void A_pod_that_is_not_running_is_not_watchable_and_says_so()
    {
        var outcome = Evaluate(Unready(), Created.AddMinutes(5), pods: Pending("checkout-1"));

        var state = Assert.Single(outcome.Pods);
        Assert.Equal((TriggerPodStates.NotWatchable, "the pod is Pending, not Running"), (state.State, state.Message));
        Assert.Empty(outcome.Fire);
    }

    [Fact]
    public void The_operator_budget_holds_a_crossing_back_with_the_setting_named()
    {
        var outcome = Evaluate(Restarts(), Created.AddMinutes(2), budgetLeft: 0, pods: Restarted("checkout-1", 1, Created.AddMinutes(1)));

        Assert.Empty(outcome.Fire);
        Assert.Equal("OperatorBudget", outcome.Limit!.Value.Reason);
        Assert.Contains("Operator:MaxRunningTriggeredCommands", Assert.Single(outcome.Withheld).Firing.Message);
    }

    [Fact]
    public void A_suspended_trigger_fires_nothing_and_records_nothing_while_the_pods_say_why()
    {
        var outcome = Evaluate(Restarts(), Created.AddMinutes(2), notFiring: "the trigger is suspended (spec.suspend)", pods: Restarted("checkout-1", 1, Created.AddMinutes(1)));

        Assert.Empty(outcome.Fire);
        Assert.Empty(outcome.Firings);
        Assert.StartsWith("the trigger is suspended (spec.suspend); ", Assert.Single(outcome.Pods).Message);
    }

    [Fact]
    public void A_crossing_older_than_the_time_judged_less_the_grace_is_not_judged_again()
    {
        var judged = new Trigger.TriggerStatus { EvaluatedTime = Created.AddMinutes(30).UtcDateTime };

        var stale = Evaluate(Restarts(), Created.AddMinutes(31), judged, pods: Restarted("checkout-1", 1, Created.AddMinutes(28)));
        var late = Evaluate(Restarts(), Created.AddMinutes(31), judged, pods: Restarted("checkout-1", 1, Created.AddMinutes(29).AddSeconds(30)));

        Assert.Empty(stale.Fire);
        Assert.Single(late.Fire);
    }

    [Fact]
    public void Pods_holding_or_limited_are_listed_first()
    {
        var pods = Enumerable.Range(0, 150).Select(i => Running($"checkout-{i:000}")).Append(Running("zz-unready", ready: false, readySince: Created.AddMinutes(4).AddSeconds(50))).ToArray();

        var outcome = Evaluate(Unready(30), Created.AddMinutes(5), pods: pods);

        Assert.Equal(151, outcome.Totals.Pods);
        Assert.Equal(1, outcome.Totals.Holding);
        Assert.Equal("zz-unready", outcome.Pods[0].Pod);
    }

    [Fact]
    public void A_crash_looping_pod_keeps_one_withheld_crossing_in_the_status_not_one_per_restart()
    {
        var now = Created.AddMinutes(30);
        var status = new Trigger.TriggerStatus
        {
            EvaluatedTime = now.AddSeconds(-5).UtcDateTime,
            Firings = [.. Enumerable.Range(1, 50).Select(n => new Trigger.Firing { Pod = "checkout-1", Key = $"uid-checkout-1/api/restart/{n}", Time = now.AddSeconds(-50 + n).UtcDateTime, Outcome = TriggerFiringOutcomes.Withheld })],
        };

        var outcome = Evaluate(Restarts(), now, status, pods: Restarted("checkout-1", 50, now.AddSeconds(-1)));

        Assert.Equal("uid-checkout-1/api/restart/50", Assert.Single(outcome.Firings).Key);
        Assert.Empty(outcome.Fire);
    }

    [Fact]
    public void A_restarted_container_in_its_back_off_fires_only_once_it_runs_again()
    {
        var ended = Created.AddMinutes(3);
        var waiting = Restarted("checkout-1", 1, ended);
        waiting.Status.ContainerStatuses[0].State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } };

        var backOff = Evaluate(Restarts(), ended.AddSeconds(5), pods: waiting);
        var running = Evaluate(Restarts(), ended.AddSeconds(12), StatusAfter(backOff), pods: Running("checkout-1", containers: Container("api", 1, ended.AddSeconds(10))));

        Assert.Empty(backOff.Fire);
        var state = Assert.Single(backOff.Pods);
        Assert.Equal((TriggerPodStates.Holding, "api ended at 2026-12-01T10:03:00Z (Error, restart 1): fires once it runs again"), (state.State, state.Message));
        Assert.Single(running.Fire);
    }

    [Fact]
    public void A_pod_unready_since_before_the_trigger_fires_forSeconds_after_the_trigger_was_made()
    {
        var pod = Running("checkout-1", ready: false, readySince: Created.AddMinutes(-30));

        var early = Evaluate(Unready(30), Created.AddSeconds(10), pods: pod);
        var due = Evaluate(Unready(30), Created.AddSeconds(31), StatusAfter(early), pods: pod);

        Assert.Empty(early.Fire);
        Assert.Equal("not Ready since 2026-12-01T09:30:00Z: fires at 2026-12-01T10:00:30Z if still not Ready (forSeconds 30)", Assert.Single(early.Pods).Message);
        Assert.Single(due.Fire);
    }
}
