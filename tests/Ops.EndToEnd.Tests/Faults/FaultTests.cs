using System.Globalization;
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
/// concurrent writer causing conflicts, each in the middle of a fan-out of <see cref="MarkScript"/> runs
/// on real agents. After each, the command reaches its right final state, every target ran exactly once
/// (one line each in the runs file) on its own node's agent, and every result is in the status.
/// </summary>
public sealed class FaultTests(FaultCluster fault) : IClassFixture<FaultCluster>
{
    private static readonly string Ops = DemoCluster.OpsNamespace;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    /// <summary>Starts a command marking a runs file of its own on each node (or on <paramref name="nodes"/>); returns the file.</summary>
    private async Task<string> StartAsync(string name, int parallelism, int seconds, int? timeoutSeconds = null, List<string>? nodes = null)
    {
        var file = MarkScript.NewRunsFile();
        var spec = Commands.OnNodes("script.run", MarkScript.Parameters(file, seconds), parallelism: parallelism, names: nodes ?? FaultCluster.Nodes);
        spec.TimeoutSeconds = timeoutSeconds;
        await Commands.CreateAsync(fault.Client, Ops, name, spec);
        return file;
    }

    /// <summary>Every target has one result, from its own node's agent, and its script ran once (one line in the file).</summary>
    private static async Task AssertEachTargetRanOnceAsync(V1Alpha1DiagnosticCommand done, string file, IReadOnlyCollection<string> nodes)
    {
        Assert.Equal(nodes.Order(StringComparer.Ordinal), (await MarkScript.RunsAsync(file)).Order(StringComparer.Ordinal));
        var results = done.Status!.Results!;
        Assert.Equal(nodes.Count, results.Count);
        Assert.Equal(nodes.Count, results.Select(r => r.Target.Node).Distinct().Count());
        Assert.All(results.Where(r => r.Phase == TargetPhase.Succeeded), r => Assert.Contains($"ran on {r.Target.Node}", r.Summary, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_leader_change_mid_fan_out_hands_the_fan_out_over_and_no_target_runs_twice()
    {
        await Eventually.True(async () => (await fault.OperatorPodsAsync(_ct)).Count == 2, "a leader and a stand-by operator");
        // Four targets one after the other, 3 s each: the handover (about 2 s) falls inside the fan-out.
        var file = await StartAsync("leader-change", parallelism: 1, seconds: 3);
        await Commands.StatusAsync(fault.Client, Ops, "leader-change", s => s.Targets is { Succeeded: >= 1, Running: 1 }, "the fan-out half way");
        var leader = await fault.LeaderAsync(_ct);

        // Deleted as a rolling update or a drain would: the leader stops, gives the Lease up, the stand-by takes over.
        await fault.Client.CoreV1.DeleteNamespacedPodAsync(leader, Ops, cancellationToken: _ct);
        var successor = await Eventually.Get(async () => await fault.LeaderAsync(_ct) is { Length: > 0 } holder && holder != leader ? holder : null, "another operator to lead", Timeouts.ProcessTurnover);
        Assert.Null((await Commands.GetAsync(fault.Client, Ops, "leader-change"))!.Status!.CompletionTime);

        var done = await Commands.FinishedAsync(fault.Client, Ops, "leader-change", Timeouts.CommandThroughFault);
        Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
        Assert.Equal(FaultCluster.NodeCount, done.Status.Targets!.Succeeded);
        await AssertEachTargetRanOnceAsync(done, file, FaultCluster.Nodes);
        Assert.Equal(successor, await fault.LeaderAsync(_ct));
    }

    [Fact]
    public async Task Only_the_leading_replica_is_ready_and_serves_artifact_downloads()
    {
        var pods = await Eventually.Get(async () => await fault.OperatorPodsAsync(_ct) is { Count: 2 } both ? both : null, "a leader and a stand-by operator");
        var leader = await fault.LeaderAsync(_ct);
        using var http = new HttpClient();
        async Task<(System.Net.HttpStatusCode Code, string Body)> GetAsync(V1Pod pod, string path)
        {
            using var https = await OperatorHttps.CreateAsync(fault.Cluster, pod.Status.PodIP, _ct);
            using var response = path.StartsWith("artifacts/", StringComparison.Ordinal)
                ? await https.GetAsync(path, _ct)
                : await http.GetAsync($"http://{pod.Status.PodIP}:{fault.Cluster.OperatorPort}/{path}", _ct);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(_ct));
        }

        foreach (var pod in pods)
        {
            var leading = pod.Metadata.Name == leader;
            var ready = await GetAsync(pod, "readyz");
            var download = await GetAsync(pod, "artifacts/ops-system/some-command/trace.nettrace");
            Assert.Equal(leading ? System.Net.HttpStatusCode.OK : System.Net.HttpStatusCode.ServiceUnavailable, ready.Code);
            // The leader asks who is calling (no token: 401); the stand-by does not serve at all.
            Assert.Equal(leading ? System.Net.HttpStatusCode.Unauthorized : System.Net.HttpStatusCode.ServiceUnavailable, download.Code);
            if (!leading) Assert.Equal("this replica is not leading; ask the leading one\n", download.Body);
        }
    }

    /// <summary>
    /// Outages of 1 s, 3 s and 8 s: the last is longer than a lease attempt (5 s) and shorter than the lease
    /// (15 s), so the leader must keep trying through it, and neither replica may restart.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public async Task A_restart_of_the_API_server_mid_fan_out_is_ridden_out_and_the_watches_recover(int outageSeconds)
    {
        var operators = await fault.OperatorRestartsAsync(_ct);
        var leader = await fault.LeaderAsync(_ct);
        var name = $"api-restart-{outageSeconds}";
        var file = await StartAsync(name, parallelism: 1, seconds: 2);
        await Commands.StatusAsync(fault.Client, Ops, name, s => s.Targets is { Succeeded: >= 1, Running: 1 }, "the fan-out half way");

        await fault.Cluster.Server.RestartApiAsync(TimeSpan.FromSeconds(outageSeconds), _ct);

        try
        {
            var done = await Commands.FinishedAsync(fault.Client, Ops, name, Timeouts.CommandThroughFault);
            Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
            await AssertEachTargetRanOnceAsync(done, file, FaultCluster.Nodes);
            // The operator resumed its watches (a 410 for the lost history makes it list again): a new command is seen at once.
            var afterFile = await StartAsync($"{name}-after", parallelism: 1, seconds: 0, nodes: ["node-1"]);
            var after = await Commands.FinishedAsync(fault.Client, Ops, $"{name}-after", Timeouts.Command);
            Assert.Equal(CommandPhase.Succeeded, after.Status!.Phase);
            await AssertEachTargetRanOnceAsync(after, afterFile, ["node-1"]);
            // ... by the same processes, the same one leading: the outage was ridden out, not crashed through.
            Assert.Equal(operators, await fault.OperatorRestartsAsync(_ct));
            Assert.Equal(leader, await fault.LeaderAsync(_ct));
        }
        catch (Exception) when (TestContext.Current.TestOutputHelper is { } output)
        {
            output.WriteLine(await fault.OperatorLogsAsync(_ct));
            throw;
        }
    }

    [Fact]
    public async Task Slow_dropped_and_stalled_connections_to_the_agents_delay_the_fan_out_but_run_no_target_twice()
    {
        foreach (var proxy in fault.Proxies.Values) proxy.Delay = TimeSpan.FromMilliseconds(50);
        var calls = await fault.ExecuteCallsAsync(_ct);
        try
        {
            var file = await StartAsync("bad-network", parallelism: FaultCluster.NodeCount, seconds: 4);
            await Commands.StatusAsync(fault.Client, Ops, "bad-network", s => s.Targets is { Running: FaultCluster.NodeCount }, "every target running");
            await Eventually.True(async () => (await MarkScript.RunsAsync(file)).Length == FaultCluster.NodeCount, "every script to start");
            var resets = fault.Proxies.Values.Sum(p => p.Resets);

            // Every connection reset, new ones refused for a second; then one node's bytes held for two more.
            foreach (var proxy in fault.Proxies.Values) proxy.Drop(refuseNew: true);
            await Task.Delay(TimeSpan.FromSeconds(1), _ct);
            foreach (var proxy in fault.Proxies.Values) proxy.Accept();
            fault.Proxies["node-2"].Stall();
            await Task.Delay(TimeSpan.FromSeconds(2), _ct);
            fault.Proxies["node-2"].Resume();

            var done = await Commands.FinishedAsync(fault.Client, Ops, "bad-network", Timeouts.CommandThroughFault);
            Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
            await AssertEachTargetRanOnceAsync(done, file, FaultCluster.Nodes);
            Assert.True(fault.Proxies.Values.Sum(p => p.Resets) - resets >= FaultCluster.NodeCount, "every agent connection was reset");
            // The cut calls were made again and attached to the running executions (the scripts ran once).
            var made = await fault.ExecuteCallsAsync(_ct) - calls;
            Assert.True(made > FaultCluster.NodeCount, $"{made} Execute calls for {FaultCluster.NodeCount} targets");
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
            var file = await StartAsync("stalled-agent", parallelism: FaultCluster.NodeCount, seconds: 0, timeoutSeconds: timeout);

            // The target's deadline is its timeout, the agent grace and 10 s for the result to travel.
            var done = await Commands.FinishedAsync(fault.Client, Ops, "stalled-agent", Timeouts.CommandThroughFault);
            Assert.Equal(CommandPhase.PartiallyFailed, done.Status!.Phase);
            Assert.Equal(FaultCluster.NodeCount - 1, done.Status.Targets!.Succeeded);
            var failed = Assert.Single(done.Status.Results!, r => r.Phase == TargetPhase.Failed);
            Assert.Equal("node-4", failed.Target.Node);
            Assert.Equal($"no result from the agent on node node-4 within {timeout}s", failed.Message);
            Assert.Equal(["node-1", "node-2", "node-3"], (await MarkScript.RunsAsync(file)).Order(StringComparer.Ordinal));
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
        var file = await StartAsync("conflict-storm", parallelism: 2, seconds: 2);
        // Another controller (or a person with kubectl edit) updating the command's metadata as fast as it can,
        // with the resourceVersion it read: every write of the operator between its read and its write is a 409.
        // It stops by itself once it reads the command finished, never with a write in flight, so the count of
        // its accepted writes is exact.
        var writer = Task.Run(async () =>
        {
            var writes = 0;
            while (true)
            {
                var current = await Commands.GetAsync(fault.Client, Ops, "conflict-storm");
                if (current is null || current.Status?.CompletionTime is not null) return writes;
                current.Metadata.Annotations ??= new Dictionary<string, string>();
                current.Metadata.Annotations["example.com/touched"] = (writes + 1).ToString(CultureInfo.InvariantCulture);
                try
                {
                    await fault.Client.CustomObjects.ReplaceNamespacedCustomObjectAsync(current, ApiGroup.Name, ApiGroup.Version, Ops, V1Alpha1DiagnosticCommand.Plural, "conflict-storm");
                    writes++;
                }
                catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
                {
                }
            }
        }, _ct);

        var done = await Commands.FinishedAsync(fault.Client, Ops, "conflict-storm", Timeouts.CommandThroughFault);
        var written = await writer.WaitAsync(Timeouts.ProcessTurnover, _ct);

        Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
        await AssertEachTargetRanOnceAsync(done, file, FaultCluster.Nodes);
        Assert.True(written > 0, "the writer wrote nothing");
        Assert.True(fault.OperatorRefusals(409) - conflicts > 0, "the operator met conflicts");
        // The operator's status writes kept the other writer's last change.
        var final = (await Commands.GetAsync(fault.Client, Ops, "conflict-storm"))!;
        Assert.Equal(written.ToString(CultureInfo.InvariantCulture), final.Metadata.Annotations!["example.com/touched"]);
    }
}
