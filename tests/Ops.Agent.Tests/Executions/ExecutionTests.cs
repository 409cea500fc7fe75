using Grpc.Core;
using Ops.Agent.V1;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Executions;

/// <summary>Execute is idempotent on (command uid, target key): replays attach or get the recorded result; nothing runs twice.</summary>
public sealed class ExecutionTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AgentHarness _harness = new();
    private TestAgent _agent = null!;

    public async ValueTask InitializeAsync() => _agent = await _harness.StartAgentAsync();

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private static ExecuteRequest Request(string action, string uid = "uid-1", string key = "node/node-a", int delayMs = 0, int timeout = 30, params (string, string)[] parameters) =>
        AgentHarness.Request(action, null, uid, key, timeout, delayMs, parameters);

    private Task<ExecutionResult> ExecuteAsync(V1.Agent.AgentClient client, ExecuteRequest request) => _harness.ExecuteAsync(_agent, request, _ct);

    [Fact]
    public async Task Concurrent_and_later_replays_run_the_work_once_and_share_its_result()
    {
        var client = _harness.Channels.For(_agent.Address);
        var request = Request("agent.selftest", delayMs: 300);

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => ExecuteAsync(client, request)));
        var later = await ExecuteAsync(client, request);
        var recorded = await client.GetExecutionAsync(new GetExecutionRequest { CommandUid = "uid-1", TargetKey = "node/node-a" }, cancellationToken: _ct);

        Assert.Equal(1, _agent.Executions.Started);
        Assert.All(results, r => Assert.Equal(ExecutionPhase.Succeeded, r.Phase));
        Assert.All(results.Append(later).Append(recorded), r => Assert.Equal(results[0].Finished, r.Finished));
        Assert.Contains("ok   data directory writable", recorded.Output.ToStringUtf8());
    }

    [Fact]
    public async Task A_restarted_agent_returns_recorded_results_and_never_reruns_an_interrupted_target()
    {
        var client = _harness.Channels.For(_agent.Address);
        var finished = await ExecuteAsync(client, Request("node.info", key: "finished"));
        var journal = new Ops.Agent.Executions.ExecutionJournal(Microsoft.Extensions.Options.Options.Create(new Ops.Agent.Hosting.AgentOptions { DataDirectory = _agent.DataDirectory }), TimeProvider.System);
        journal.MarkStarted(new Ops.Agent.Executions.ExecutionKey("uid-1", "interrupted"));
        await _agent.DisposeAsync();

        _agent = await _harness.StartAgentAsync(_agent.DataDirectory);
        client = _harness.Channels.For(_agent.Address);
        var replayed = await ExecuteAsync(client, Request("node.info", key: "finished"));
        var interrupted = await ExecuteAsync(client, Request("node.info", key: "interrupted"));

        Assert.Equal(0, _agent.Executions.Started);
        Assert.Equal(finished.Finished, replayed.Finished);
        Assert.Equal(ExecutionPhase.Failed, interrupted.Phase);
        Assert.Contains("agent restarted", interrupted.Message);
    }

    [Fact]
    public async Task The_journal_forgets_commands_older_than_its_retention_but_not_a_running_one()
    {
        var client = _harness.Channels.For(_agent.Address);
        await ExecuteAsync(client, Request("node.info", uid: "old"));
        var recent = await ExecuteAsync(client, Request("node.info", uid: "recent"));
        var running = ExecuteAsync(client, Request("agent.selftest", uid: "running", delayMs: 3000));
        await Eventually.True(() => Task.FromResult(_agent.Executions.Find(new Ops.Agent.Executions.ExecutionKey("running", "node/node-a"))?.Phase == ExecutionPhase.Running), "the third to run");
        var executions = Path.Combine(_agent.DataDirectory, "executions");
        foreach (var uid in new[] { "old", "running" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(executions, uid))) File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-3));
        }

        var deleted = _agent.Executions.DeleteExpired();

        Assert.Equal(1, deleted);
        Assert.Equal(["recent", "running"], Directory.EnumerateDirectories(executions).Select(Path.GetFileName).Order());
        Assert.Equal(recent.Finished, (await ExecuteAsync(client, Request("node.info", uid: "recent"))).Finished);
        Assert.Equal(ExecutionPhase.Succeeded, (await running).Phase);
    }

    [Fact]
    public async Task Cancel_stops_a_running_target_and_a_timeout_fails_it()
    {
        var client = _harness.Channels.For(_agent.Address);
        var slow = ExecuteAsync(client, Request("node.info", uid: "uid-c", key: "slow", delayMs: 60_000));
        await Eventually.True(async () => (await client.CancelAsync(new CancelRequest { CommandUid = "uid-c" }, cancellationToken: _ct)).Cancelled == 1, "the cancel to reach the running target");
        var cancelled = await slow;
        // A server that accepts and never answers: the HTTP check would wait 30 s, the target's timeout is 1 s.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port.ToString();
        var timedOut = await ExecuteAsync(client, Request("check.http", uid: "uid-t", key: "late", timeout: 1,
            parameters: [("url", $"http://127.0.0.1:{port}/"), ("timeoutMs", "30000")]));

        Assert.Equal(ExecutionPhase.Cancelled, cancelled.Phase);
        Assert.Equal(ExecutionPhase.Failed, timedOut.Phase);
        Assert.Equal("timed out after 1s", timedOut.Message);
    }

    [Fact]
    public async Task A_start_delay_does_not_count_against_the_targets_timeout()
    {
        var client = _harness.Channels.For(_agent.Address);

        var delayed = await ExecuteAsync(client, Request("node.info", uid: "uid-d", key: "delayed", delayMs: 1500, timeout: 1));

        Assert.Equal(ExecutionPhase.Succeeded, delayed.Phase);
    }

    [Fact]
    public async Task Bad_requests_fail_clearly_and_the_agent_keeps_serving()
    {
        var client = _harness.Channels.For(_agent.Address);

        var unknown = await ExecuteAsync(client, Request("rm.rf", key: "u"));
        var badPort = await ExecuteAsync(client, Request("check.tcp", key: "p", parameters: [("port", "eighty"), ("host", "127.0.0.1")]));
        var missing = await Assert.ThrowsAsync<RpcException>(() => ExecuteAsync(client, new ExecuteRequest { Action = "node.info" }));
        var notFound = await Assert.ThrowsAsync<RpcException>(() => client.GetExecutionAsync(new GetExecutionRequest { CommandUid = "nope", TargetKey = "nope" }, cancellationToken: _ct).ResponseAsync);

        Assert.Equal(ExecutionPhase.Failed, unknown.Phase);
        Assert.Equal("unknown action \"rm.rf\"; this agent runs: agent.selftest, check.http, check.process, check.tcp, dotnet.analyze, dotnet.counters, dotnet.crashdumps, dotnet.dump, dotnet.gcdump, dotnet.processes, dotnet.stacks, dotnet.trace, file.tail, log.grep, node.info, processes, script.run", unknown.Message);
        Assert.Equal("parameter \"port\" must be a whole number from 1 to 65535, not \"eighty\"", badPort.Message);
        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Equal(StatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("node-a", (await client.GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct)).Node);
    }
}
