using System.Net;
using Grpc.Core;
using Ops.Agent.V1;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Watches;

/// <summary>
/// Counter watches through a real agent over mTLS against the sample app, made to burn CPU through /chaos: the agent
/// judges the threshold itself and reports one crossing per episode, names the process, says why a watch has no value,
/// shares one session among the watches of a process, and stops everything when the operator stops syncing.
/// </summary>
public sealed class CounterWatchesTests : AgentAndSampleApp
{
    private Target AppTarget => new() { Namespace = "shop", Pod = "checkout", PodUid = "uid-checkout", Container = "api", ContainerId = $"sandbox://{App.Pid}" };

    /// <summary>
    /// cpu-usage is the process's share of the whole machine: one burning thread on 2 cores reads about 50 %, less when the
    /// machine is loaded (a CI run of every suite at once), so the threshold is well under it and well over an idle app.
    /// </summary>
    private static CounterWatch Watch(string id, Target target, string counter = "cpu-usage", bool above = true, double threshold = 15, int forSeconds = 2) =>
        new() { Id = id, Target = target, Counter = counter, Above = above, Threshold = threshold, ForSeconds = forSeconds, IntervalSeconds = 1 };

    private async Task<SyncWatchesReply> SyncAsync(params CounterWatch[] watches) =>
        await Harness.Channels.For(Agent.Address).SyncWatchesAsync(new SyncWatchesRequest { Watches = { watches }, LeaseSeconds = 30 }, cancellationToken: Ct);

    /// <summary>Syncs the same watches every half second, as the operator would, until the state of the first one satisfies the condition.</summary>
    private Task<WatchState> UntilAsync(Func<WatchState, bool> condition, string what, params CounterWatch[] watches) =>
        Eventually.Get(async () =>
        {
            var state = (await SyncAsync(watches)).States.Single(s => s.Id == watches[0].Id);
            if (condition(state)) return state;
            await Task.Delay(TimeSpan.FromMilliseconds(500), Ct);
            return null;
        }, what, TimeSpan.FromSeconds(60));

    [Fact]
    public async Task A_cpu_burn_above_the_threshold_for_its_time_is_one_crossing_naming_the_process()
    {
        var watch = Watch("cpu", AppTarget);
        var idle = await UntilAsync(s => s.HasValue, "a first cpu-usage value", watch);
        Assert.True(idle.Value < 15, $"the idle app uses {idle.Value} % CPU");
        Assert.Empty(idle.Crossings);

        await ChaosAsync("/chaos/cpu?seconds=30");
        var crossed = await UntilAsync(s => s.Crossings.Count > 0, "a crossing", watch);
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        var later = (await SyncAsync(watch)).States.Single();

        var crossing = Assert.Single(crossed.Crossings);
        Assert.Equal((App.Pid, App.Pid), (crossing.Pid, crossing.NamespacePid));
        Assert.StartsWith($"cpu/{App.Pid}-", crossing.Key);
        Assert.True(crossing.Value > 15, $"crossed at {crossing.Value}");
        Assert.True(crossing.At.ToDateTimeOffset() - crossed.HoldingSince.ToDateTimeOffset() >= TimeSpan.FromSeconds(2), "crossed before holding for forSeconds");
        // Still holding: the same episode, no second crossing.
        Assert.Equal([crossing.Key], later.Crossings.Select(c => c.Key));
    }

    [Fact]
    public async Task Watches_of_one_process_share_one_session_and_a_counter_it_does_not_publish_is_named_with_those_it_does()
    {
        var cpu = Watch("cpu", AppTarget);
        var heap = Watch("heap", AppTarget, counter: "gc-heap-size", threshold: 10_000);
        var typo = Watch("typo", AppTarget, counter: "cpu_usage");

        var state = await UntilAsync(s => s.Problem.Contains("publishes no", StringComparison.Ordinal), "the unknown counter to be named", typo, cpu, heap);
        var all = await SyncAsync(typo, cpu, heap);

        Assert.StartsWith($"process {App.Pid} publishes no System.Runtime counter cpu_usage (it publishes ", state.Problem);
        Assert.Contains("cpu-usage", state.Problem);
        Assert.True(all.States.Single(s => s.Id == "heap").HasValue);
        Assert.Equal(1, Agent.Watches.SessionCount);
    }

    [Fact]
    public async Task A_watch_without_a_dotnet_process_says_why_and_the_sessions_stop_when_no_sync_comes()
    {
        var missing = Watch("missing", new Target { Pod = "gone", Container = "api", ContainerId = "sandbox://999999999" });
        var cpu = Watch("cpu", AppTarget);

        var reply = await Harness.Channels.For(Agent.Address).SyncWatchesAsync(new SyncWatchesRequest { Watches = { missing, cpu }, LeaseSeconds = 5 }, cancellationToken: Ct);
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await Harness.Channels.For(Agent.Address).SyncWatchesAsync(
            new SyncWatchesRequest { Watches = { cpu, cpu }, LeaseSeconds = 5 }, cancellationToken: Ct));

        Assert.Equal("no running process found for container api (sandbox://999999999)", reply.States.Single(s => s.Id == "missing").Problem);
        Assert.Equal((StatusCode.InvalidArgument, "watch ids must be unique"), (bad.StatusCode, bad.Status.Detail));
        Assert.Equal(1, Agent.Watches.SessionCount);
        await Eventually.True(() => Task.FromResult(Agent.Watches.SessionCount == 0), "the lease to expire", TimeSpan.FromSeconds(15));
    }
}
