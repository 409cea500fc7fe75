using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.AgentVersions;
using static Ops.Operator.Tests.Controllers.AgentVersions.TestFleet;

namespace Ops.Operator.Tests.Controllers.AgentVersions;

/// <summary>Every transition of a rollout, decided from what a reconcile would observe; no API, no clock.</summary>
public sealed class RolloutMachineTests
{
    private static V1Alpha1AgentVersion.VersionSpec Spec(params V1Alpha1AgentVersion.CanaryStep[] steps) =>
        new() { Version = New.Version, Image = New.Image, Strategy = new() { Canary = new() { Steps = [.. steps] }, HealthGate = new() } };

    private static V1Alpha1AgentVersion.CanaryStep Step(int? nodes = null, int? percent = null, V1Alpha1AgentVersion.PauseSpec? pause = null) =>
        new() { Nodes = nodes, Percent = percent, Pause = pause };

    private static RolloutState Started(bool withPrevious = true) => RolloutState.Start(New, withPrevious ? Old : null, Now);

    private static RolloutDecision Decide(V1Alpha1AgentVersion.VersionSpec spec, RolloutState state, Fleet fleet, FleetHealth health, DateTimeOffset? now = null, int? approved = null) =>
        RolloutMachine.Decide(new RolloutInput("av", 1, spec, approved, state, fleet, health, now ?? Now));

    private static string[] Replaced(RolloutDecision decision) => [.. decision.Replace.Select(n => n.Name)];

    private static string[] Reasons(RolloutDecision decision) => [.. decision.Events.Select(e => e.Reason)];

    [Fact]
    public void A_spec_naming_another_version_starts_a_rollout_that_can_return_to_the_running_one()
    {
        var (state, started) = RolloutMachine.Begin(RolloutState.From(null), New, Old, Now);

        Assert.Equal((New.Version, New.Image, Old, 1), (state.TargetVersion, state.TargetImage, state.Previous, state.CurrentStep));
        Assert.Equal($"Rolling the agents from 1.0.0 ({Old.Image}) to 2.0.0 ({New.Image})", started!.Message);
        var (again, none) = RolloutMachine.Begin(state, New, Old, Now.AddMinutes(1));
        Assert.Same(state, again);
        Assert.Null(none);
        Assert.Null(RolloutMachine.Begin(RolloutState.From(null), New, New, Now).State.Previous);
    }

    [Fact]
    public void The_first_step_replaces_only_its_own_nodes()
    {
        var decision = Decide(Spec(Step(nodes: 1), Step(percent: 50)), Started(), Rolling(10), Health());

        Assert.Equal(["n1"], Replaced(decision));
        Assert.Equal((RolloutPhase.Progressing, 1, 3), (decision.State.Phase, decision.State.CurrentStep, decision.TotalSteps));
        Assert.Equal("Step1", decision.State.Progress?.Reason);
        Assert.Empty(decision.Events);
        Assert.Equal(RolloutMachine.Poll, decision.Wake);
    }

    [Fact]
    public void Canary_nodes_go_first()
    {
        var decision = Decide(Spec(Step(nodes: 1)), Started(), Of(New, [Old, Old, Old, Old], canary: ["n3"]), Health());

        Assert.Equal(["n3"], Replaced(decision));
    }

    [Fact]
    public void A_step_whose_nodes_passed_completes_and_the_next_starts_within_maxUnavailable()
    {
        var spec = Spec(Step(nodes: 1), Step(percent: 50));
        spec.Strategy!.MaxUnavailable = "30%";

        var decision = Decide(spec, Started(), Rolling(9, updated: 1), Health(passed: ["n1"]));

        Assert.Equal(["StepCompleted", "StepStarted"], Reasons(decision));
        Assert.Equal("Step 2 of 3 started: 5 nodes", decision.Events[1].Message);
        Assert.Equal(2, decision.State.CurrentStep);
        Assert.Equal(["n2", "n3", "n4"], Replaced(decision));
        Assert.Equal("Completed", decision.State.History.Single(r => r.Step == 1).Result);
    }

    [Fact]
    public void Agents_already_unavailable_spend_the_budget_and_are_replaced_first_for_free()
    {
        var spec = Spec();
        spec.Strategy!.MaxUnavailable = "2";

        var decision = Decide(spec, Started(), Of(New, [Old, Old, Old, Old], ready: [true, false, true, true]), Health(unavailable: 1));

        Assert.Equal(["n2", "n1"], Replaced(decision));
    }

    [Fact]
    public void A_timed_pause_holds_the_next_step_until_it_ends()
    {
        var spec = Spec(Step(nodes: 1, pause: new() { Duration = "10m" }));
        var health = Health(passed: ["n1"]);

        var paused = Decide(spec, Started(), Rolling(4, updated: 1), health);

        Assert.Equal(RolloutPhase.Paused, paused.State.Phase);
        Assert.Equal(["StepCompleted", "StepPaused"], Reasons(paused));
        Assert.Equal("Step 1 done; pausing 10m before step 2", paused.Events[1].Message);
        Assert.Empty(paused.Replace);
        Assert.Equal(TimeSpan.FromMinutes(5), paused.Wake);
        var later = Decide(spec, paused.State, Rolling(4, updated: 1), health, Now.AddMinutes(9));
        Assert.Equal(("PausedForDuration", TimeSpan.FromMinutes(1)), (later.State.Progress?.Reason, later.Wake));
        var over = Decide(spec, later.State, Rolling(4, updated: 1), health, Now.AddMinutes(10));
        Assert.Equal((RolloutPhase.Progressing, 2), (over.State.Phase, over.State.CurrentStep));
        Assert.Equal(["StepStarted"], Reasons(over));
        Assert.Equal(["n2"], Replaced(over));
    }

    [Fact]
    public void An_approval_pause_waits_for_the_annotation_without_polling()
    {
        var spec = Spec(Step(nodes: 1, pause: new()));
        var health = Health(passed: ["n1"]);

        var waiting = Decide(spec, Started(), Rolling(4, updated: 1), health);
        waiting = Decide(spec, waiting.State, Rolling(4, updated: 1), health, Now.AddHours(1), approved: 0);

        Assert.Equal(("AwaitingApproval", (TimeSpan?)null), (waiting.State.Progress?.Reason, waiting.Wake));
        Assert.Contains("kubectl annotate agentversion av ops.dev/approved-step=1 --overwrite", waiting.State.Progress?.Message);
        var approved = Decide(spec, waiting.State, Rolling(4, updated: 1), health, Now.AddHours(1), approved: 1);
        Assert.Equal((RolloutPhase.Progressing, 2), (approved.State.Phase, approved.State.CurrentStep));
        Assert.Equal(["n2"], Replaced(approved));
    }

    [Fact]
    public void Spec_paused_stops_replacing_agents_until_it_is_false()
    {
        var spec = Spec(Step(nodes: 2));
        spec.Paused = true;

        var decision = Decide(spec, Started(), Rolling(4, updated: 1), Health(passed: ["n1"]));

        Assert.Equal((RolloutPhase.Paused, "PausedBySpec", (TimeSpan?)null), (decision.State.Phase, decision.State.Progress?.Reason, decision.Wake));
        Assert.Empty(decision.Replace);
    }

    [Fact]
    public void More_failed_nodes_than_allowed_roll_back_to_the_previous_version()
    {
        var decision = Decide(Spec(Step(nodes: 2)), Started(), Rolling(4, updated: 2), Health(passed: ["n1"], failed: new Dictionary<string, string> { ["n2"] = "agent.selftest failed" }, unavailable: 1));

        Assert.Equal(RolloutPhase.RollingBack, decision.State.Phase);
        Assert.Equal(["HealthGateFailed", "RollingBack"], Reasons(decision));
        Assert.Equal("Node n2: agent.selftest failed", decision.Events[0].Message);
        Assert.Equal("Health gate failed at step 1 (n2: agent.selftest failed); rolling back to 1.0.0", decision.Events[1].Message);
        Assert.Equal(("Failed", "health gate failed on 1 node(s): n2: agent.selftest failed"), (decision.State.History[0].Result, decision.State.History[0].Message));
        Assert.Equal(TimeSpan.Zero, decision.Wake);
        Assert.Empty(decision.Replace);
    }

    [Fact]
    public void A_failure_within_maxFailedNodes_is_recorded_and_another_node_takes_its_place()
    {
        var spec = Spec(Step(nodes: 2));
        spec.Strategy!.HealthGate!.MaxFailedNodes = 1;
        spec.Strategy.MaxUnavailable = "2";

        var decision = Decide(spec, Started(), Rolling(4, updated: 2), Health(passed: ["n1"], failed: new Dictionary<string, string> { ["n2"] = "not Ready" }, unavailable: 1));

        Assert.Equal(RolloutPhase.Progressing, decision.State.Phase);
        Assert.Equal(["n2"], decision.State.FailedNodes);
        Assert.Equal(["HealthGateFailed"], Reasons(decision));
        Assert.Equal(["n3"], Replaced(decision));
    }

    [Theory]
    [InlineData(false, true, "autoRollback is false, so the updated nodes are left as they are")]
    [InlineData(true, false, "there is no previous version to restore")]
    public void A_failed_rollout_that_cannot_roll_back_stops_where_it_is(bool autoRollback, bool withPrevious, string why)
    {
        var spec = Spec(Step(nodes: 1));
        spec.Strategy!.AutoRollback = autoRollback;

        var decision = Decide(spec, Started(withPrevious), Rolling(3, updated: 1), Health(failed: new Dictionary<string, string> { ["n1"] = "crashed" }, unavailable: 1));

        Assert.Equal((RolloutPhase.Failed, (TimeSpan?)null), (decision.State.Phase, decision.Wake));
        Assert.Contains(why, decision.State.Progress?.Message);
        Assert.Equal(["HealthGateFailed", "RolloutFailed"], Reasons(decision));
    }

    [Fact]
    public void A_rollback_replaces_the_updated_agents_within_the_budget_until_every_node_runs_the_previous_version()
    {
        var state = Started();
        state.Phase = RolloutPhase.RollingBack;

        var rolling = Decide(Spec(Step(nodes: 2)), state, Of(Old, [New, New, Old, Old]), Health(passed: ["n3", "n4"]));

        Assert.Equal(["n1"], Replaced(rolling));
        Assert.Equal(("RollingBack", "2 of 4 nodes run 1.0.0 again"), rolling.State.Progress);
        Assert.Equal(RolloutMachine.Poll, rolling.Wake);
        var done = Decide(Spec(Step(nodes: 2)), rolling.State, Of(Old, [Old, Old, Old, Old]), Health(passed: Nodes(1, 4)));
        Assert.Equal((RolloutPhase.RolledBack, (TimeSpan?)null), (done.State.Phase, done.Wake));
        Assert.Equal(["RolledBack"], Reasons(done));
    }

    [Fact]
    public void The_last_step_completing_ends_the_rollout()
    {
        var decision = Decide(Spec(), Started(), Rolling(3, updated: 3), Health(passed: Nodes(1, 3)));

        Assert.Equal((RolloutPhase.Succeeded, (TimeSpan?)null), (decision.State.Phase, decision.Wake));
        Assert.Equal(["StepCompleted", "RolloutSucceeded"], Reasons(decision));
        Assert.Empty(decision.Replace);
    }

    [Fact]
    public void An_operator_restarted_mid_step_replays_the_same_decision_from_the_status_without_repeating_its_events()
    {
        var spec = Spec(Step(nodes: 1), Step(nodes: 2));
        var fleet = Rolling(4, updated: 1);
        var health = Health(passed: ["n1"]);
        var first = Decide(spec, Started(), fleet, health);
        var status = new V1Alpha1AgentVersion.VersionStatus { Conditions = [] };
        first.State.WriteTo(status, first.TotalSteps, fleet, health, 1, Now);

        var replayed = Decide(spec, RolloutState.From(status), fleet, health);

        Assert.Equal(["StepCompleted", "StepStarted"], Reasons(first));
        Assert.Empty(replayed.Events);
        Assert.Equal(Replaced(first), Replaced(replayed));
        Assert.Equal(["n2"], Replaced(replayed));
        var again = new V1Alpha1AgentVersion.VersionStatus { Conditions = [] };
        replayed.State.WriteTo(again, replayed.TotalSteps, fleet, health, 1, Now);
        Assert.Equal(KubernetesJson.Serialize(status), KubernetesJson.Serialize(again));
    }
}
