using k8s;
using k8s.Models;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Faults;

/// <summary>
/// The reliability model, fault by fault, in a cluster of its own (<see cref="FaultCluster"/>): a leader
/// change, a restart of the API server, a bad network between the operator and the agents, and a
/// concurrent writer causing conflicts, each in the middle of a fan-out. After each, the command
/// reaches its right final state, every target ran exactly once on its own node's agent, and every
/// result is in the status.
/// </summary>
public sealed class FaultTests(FaultCluster fault) : IClassFixture<FaultCluster>
{
    private static readonly string Ops = DemoCluster.OpsNamespace;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private Task<V1Alpha1DiagnosticCommand> StartAsync(string name, int parallelism, int? timeoutSeconds = null, List<string>? nodes = null, string action = "node.info")
    {
        var spec = Commands.OnNodes(action, parallelism: parallelism, names: nodes ?? FaultCluster.Nodes);
        spec.TimeoutSeconds = timeoutSeconds;
        return Commands.CreateAsync(fault.Client, Ops, name, spec);
    }

    /// <summary>Every target has one result, from its own node's agent, and was started once on the agents.</summary>
    private void AssertEachTargetRanOnce(V1Alpha1DiagnosticCommand done, int targets)
    {
        var runs = fault.Agents.Stats.RunsOf(done.Metadata.Uid);
        Assert.Equal(targets, runs.Count);
        Assert.All(runs, r => Assert.True(r.Value == 1, $"{r.Key} ran {r.Value} times"));
        var results = done.Status!.Results!;
        Assert.Equal(targets, results.Count);
        Assert.Equal(targets, results.Select(r => r.Target.Node).Distinct().Count());
        Assert.All(results.Where(r => r.Phase == TargetPhase.Succeeded), r => Assert.Contains($"{done.Spec.Action} on {r.Target.Node} (simulated)", r.Summary, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_leader_change_mid_fan_out_hands_the_fan_out_over_and_no_target_runs_twice()
    {
        await Eventually.True(async () => (await fault.OperatorPodsAsync(_ct)).Count == 2, "a leader and a stand-by operator");
        // Four targets one after the other, 3 s each: the handover (about 2 s) falls inside the fan-out.
        await StartAsync("leader-change", parallelism: 1, action: FaultCluster.SlowAction);
        await Commands.StatusAsync(fault.Client, Ops, "leader-change", s => s.Targets is { Succeeded: >= 1, Running: 1 }, "the fan-out half way");
        var leader = await fault.LeaderAsync(_ct);

        // Deleted as a rolling update or a drain would: the leader stops, gives the Lease up, the stand-by takes over.
        await fault.Client.CoreV1.DeleteNamespacedPodAsync(leader, Ops, cancellationToken: _ct);
        var successor = await Eventually.Get(async () => await fault.LeaderAsync(_ct) is { Length: > 0 } holder && holder != leader ? holder : null, "another operator to lead", TimeSpan.FromSeconds(30));
        Assert.Null((await Commands.GetAsync(fault.Client, Ops, "leader-change"))!.Status!.CompletionTime);

        var done = await Commands.FinishedAsync(fault.Client, Ops, "leader-change", TimeSpan.FromSeconds(90));
        Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
        Assert.Equal(FaultCluster.NodeCount, done.Status.Targets!.Succeeded);
        AssertEachTargetRanOnce(done, FaultCluster.NodeCount);
        Assert.Equal(successor, await fault.LeaderAsync(_ct));
    }

    [Fact]
    public async Task A_restart_of_the_API_server_mid_fan_out_is_ridden_out_and_the_watches_recover()
    {
        var operators = (await fault.OperatorPodsAsync(_ct)).ToDictionary(p => p.Metadata.Name, p => p.Status.ContainerStatuses.Single().RestartCount);
        await StartAsync("api-restart", parallelism: 1);
        await Commands.StatusAsync(fault.Client, Ops, "api-restart", s => s.Targets is { Succeeded: >= 1, Running: 1 }, "the fan-out half way");

        await fault.Cluster.Server.RestartApiAsync(TimeSpan.FromSeconds(3), _ct);

        var done = await Commands.FinishedAsync(fault.Client, Ops, "api-restart", TimeSpan.FromSeconds(90));
        Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
        AssertEachTargetRanOnce(done, FaultCluster.NodeCount);
        // The operator resumed its watches (a 410 for the lost history makes it list again): a new command is seen at once.
        await StartAsync("after-api-restart", parallelism: 1, nodes: ["node-1"]);
        var after = await Commands.FinishedAsync(fault.Client, Ops, "after-api-restart", TimeSpan.FromSeconds(20));
        Assert.Equal(CommandPhase.Succeeded, after.Status!.Phase);
        // ... by the same processes: the outage was ridden out, not crashed through.
        var now = (await fault.OperatorPodsAsync(_ct)).ToDictionary(p => p.Metadata.Name, p => p.Status.ContainerStatuses.Single().RestartCount);
        if (!operators.SequenceEqual(now)) TestContext.Current.TestOutputHelper?.WriteLine(await fault.OperatorLogsAsync(_ct));
        Assert.Equal(operators, now);
    }

    [Fact]
    public async Task Slow_dropped_and_stalled_connections_to_the_agents_delay_the_fan_out_but_run_no_target_twice()
    {
        foreach (var proxy in fault.Proxies.Values) proxy.Delay = TimeSpan.FromMilliseconds(50);
        var calls = fault.Agents.Stats.ExecuteCalls;
        try
        {
            await StartAsync("bad-network", parallelism: FaultCluster.NodeCount);
            await Commands.StatusAsync(fault.Client, Ops, "bad-network", s => s.Targets is { Running: FaultCluster.NodeCount }, "every target running");
            var resets = fault.Proxies.Values.Sum(p => p.Resets);

            // Every connection reset, new ones refused for a second; then one node's bytes held for two more.
            foreach (var proxy in fault.Proxies.Values) proxy.Drop(refuseNew: true);
            await Task.Delay(TimeSpan.FromSeconds(1), _ct);
            foreach (var proxy in fault.Proxies.Values) proxy.Accept();
            fault.Proxies["node-2"].Stall();
            await Task.Delay(TimeSpan.FromSeconds(2), _ct);
            fault.Proxies["node-2"].Resume();

            var done = await Commands.FinishedAsync(fault.Client, Ops, "bad-network", TimeSpan.FromSeconds(60));
            Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
            AssertEachTargetRanOnce(done, FaultCluster.NodeCount);
            Assert.True(fault.Proxies.Values.Sum(p => p.Resets) - resets >= FaultCluster.NodeCount, "every agent connection was reset");
            // The cut calls were made again and attached to the running executions.
            Assert.True(fault.Agents.Stats.ExecuteCalls - calls > FaultCluster.NodeCount, $"{fault.Agents.Stats.ExecuteCalls - calls} Execute calls for {FaultCluster.NodeCount} targets");
        }
        finally
        {
            foreach (var proxy in fault.Proxies.Values)
            {
                proxy.Delay = TimeSpan.Zero;
                proxy.Accept();
                proxy.Resume();
            }
        }
    }

    [Fact]
    public async Task A_connection_that_stalls_for_good_fails_its_target_with_the_reason_and_the_command_still_finishes()
    {
        var stalled = fault.Proxies["node-4"];
        stalled.Stall();
        try
        {
            const int timeout = 2;
            await StartAsync("stalled-agent", parallelism: FaultCluster.NodeCount, timeoutSeconds: timeout);

            // The target's deadline is its timeout, the agent grace and 10 s for the result to travel.
            var done = await Commands.FinishedAsync(fault.Client, Ops, "stalled-agent", TimeSpan.FromSeconds(60));
            Assert.Equal(CommandPhase.PartiallyFailed, done.Status!.Phase);
            Assert.Equal(FaultCluster.NodeCount - 1, done.Status.Targets!.Succeeded);
            var failed = Assert.Single(done.Status.Results!, r => r.Phase == TargetPhase.Failed);
            Assert.Equal("node-4", failed.Target.Node);
            Assert.Equal($"no result from the agent on node node-4 within {timeout}s", failed.Message);
        }
        finally
        {
            stalled.Resume();
        }
    }

    [Fact]
    public async Task A_storm_of_conflicts_from_a_concurrent_writer_neither_stops_the_fan_out_nor_loses_its_writes()
    {
        var conflicts = fault.OperatorRefusals(409);
        await StartAsync("conflict-storm", parallelism: 2);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        // Another controller (or a person with kubectl edit) updating the command's metadata as fast as it can,
        // with the resourceVersion it read: every write of the operator between its read and its write is a 409.
        var writer = Task.Run(async () =>
        {
            var writes = 0;
            while (!stop.IsCancellationRequested)
            {
                var current = await Commands.GetAsync(fault.Client, Ops, "conflict-storm");
                if (current is null || current.Status?.CompletionTime is not null) break;
                current.Metadata.Annotations ??= new Dictionary<string, string>();
                current.Metadata.Annotations["example.com/touched"] = (++writes).ToString(System.Globalization.CultureInfo.InvariantCulture);
                try
                {
                    await fault.Client.CustomObjects.ReplaceNamespacedCustomObjectAsync(current, ApiGroup.Name, ApiGroup.Version, Ops, V1Alpha1DiagnosticCommand.Plural, "conflict-storm", cancellationToken: stop.Token);
                }
                catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
                {
                    writes--;
                }
            }
            return writes;
        }, _ct);

        var done = await Commands.FinishedAsync(fault.Client, Ops, "conflict-storm", TimeSpan.FromSeconds(90));
        await stop.CancelAsync();
        var written = await writer;

        Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
        AssertEachTargetRanOnce(done, FaultCluster.NodeCount);
        Assert.True(fault.OperatorRefusals(409) - conflicts > 0, "the operator met conflicts");
        // The operator's status writes kept the other writer's last change.
        var final = (await Commands.GetAsync(fault.Client, Ops, "conflict-storm"))!;
        Assert.Equal(written.ToString(System.Globalization.CultureInfo.InvariantCulture), final.Metadata.Annotations!["example.com/touched"]);
    }
}
