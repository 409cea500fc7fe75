using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticTriggers;
using static Ops.Operator.Tests.Controllers.DiagnosticTriggers.TestPods;
using Trigger = Ops.Operator.Api.V1Alpha1.V1Alpha1DiagnosticTrigger;

namespace Ops.Operator.Tests.Controllers.DiagnosticTriggers;

/// <summary>What a counter trigger decides from the agents' reports of its watches: no API, no agent, no clock.</summary>
public sealed class CounterReadingsTests
{
    private static Trigger.TriggerSpec Cpu(int forSeconds = 15) => new()
    {
        Target = new V1Alpha1DiagnosticCommand.PodTarget { Selector = new V1LabelSelector() },
        Condition = new Trigger.TriggerCondition { Counter = new Trigger.CounterCondition { Name = "cpu-usage", Threshold = 80, ForSeconds = forSeconds } },
        Action = new Trigger.TriggerAction { Action = "dotnet.stacks" },
    };

    private static TriggerOutcome EvaluateCounters(DateTimeOffset now, Trigger.TriggerStatus? status, V1Pod pod, params Ops.Agent.V1.WatchState[] states) =>
        TriggerEvaluation.Evaluate(new TriggerInput("checkout-cpu", Cpu(), Created, status, [pod], null, 20, 20, now, new CounterReadings("trigger-uid", states.ToDictionary(s => s.Id))));

    [Fact]
    public void A_counter_crossing_the_agent_judged_fires_once_at_the_process_whose_counter_crossed()
    {
        var id = TriggerWatches.IdOf("trigger-uid", "uid-checkout-1", "api");
        var since = Created.AddMinutes(5);
        var crossing = new Ops.Agent.V1.CounterCrossing { Key = $"{id}/4242-99/{since.ToUnixTimeMilliseconds()}", At = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(since.AddSeconds(15)), Value = 97.5, Pid = 4242, NamespacePid = 1 };
        var holding = new Ops.Agent.V1.WatchState { Id = id, Pid = 4242, HasValue = true, Value = 91.25, HoldingSince = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(since) };
        var crossed = holding.Clone();
        crossed.Crossings.Add(crossing);

        var before = EvaluateCounters(since.AddSeconds(5), null, Running("checkout-1"), holding);
        var fired = EvaluateCounters(since.AddSeconds(16), StatusAfter(before), Running("checkout-1"), crossed);
        var again = EvaluateCounters(since.AddSeconds(21), StatusAfter(fired), Running("checkout-1"), crossed);

        var state = Assert.Single(before.Pods);
        Assert.Equal((TriggerPodStates.Holding, "91.25"), (state.State, state.Value));
        Assert.Equal("api: cpu-usage above 80 since 2026-12-01T10:05:00Z: fires at 2026-12-01T10:05:15Z if it stays above", state.Message);
        var fire = Assert.Single(fired.Fire);
        Assert.Equal((crossing.Key, 1, "cpu-usage 97.5 above 80 for 15 s or more (container api, process 1)"), (fire.Key, fire.NamespacePid, fire.Message));
        Assert.Equal(1, TriggerCommands.For(new Trigger { Metadata = new V1ObjectMeta { Name = "checkout-cpu", NamespaceProperty = "shop", Uid = "trigger-uid" }, Spec = Cpu() }, fire).Spec.Target.Pods!.Process!.Pid);
        Assert.Empty(again.Fire);
    }

    [Fact]
    public void A_container_the_agent_cannot_watch_says_why()
    {
        var id = TriggerWatches.IdOf("trigger-uid", "uid-checkout-1", "api");

        var outcome = EvaluateCounters(Created.AddMinutes(1), null, Running("checkout-1"), new Ops.Agent.V1.WatchState { Id = id, Problem = "process 7 (sh) is not a .NET process (no .NET runtime is loaded in it)" });
        var unreported = EvaluateCounters(Created.AddMinutes(1), null, Running("checkout-1"));

        var state = Assert.Single(outcome.Pods);
        Assert.Equal((TriggerPodStates.NotWatchable, "api: process 7 (sh) is not a .NET process (no .NET runtime is loaded in it)"), (state.State, state.Message));
        Assert.Equal("api: waiting for its agent's first report", Assert.Single(unreported.Pods).Message);
    }
}
