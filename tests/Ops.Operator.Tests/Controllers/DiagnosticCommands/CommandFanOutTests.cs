using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.Operator.Agents;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.TestSupport;

namespace Ops.Operator.Tests.Controllers.DiagnosticCommands;

/// <summary>The fan-out against real agents over mTLS.</summary>
public sealed class CommandFanOutTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly TestPki _pki = TestPki.Create();
    private readonly ConcurrentDictionary<string, TestAgent> _agents = new();
    private AgentChannels _channels = null!;

    private static readonly Dictionary<string, string?> NapScript = new()
    {
        ["Agent:Scripts:nap:Path"] = "/bin/sleep",
        ["Agent:Scripts:nap:Arguments:0"] = "{seconds}",
        ["Agent:Scripts:nap:Parameters:seconds:Pattern"] = "^[0-9.]+$",
    };

    public async ValueTask InitializeAsync()
    {
        _channels = new AgentChannels(_pki.OperatorCertificate, _pki.Ca.Certificate, NullLoggerFactory.Instance);
        foreach (var node in new[] { "node-a", "node-b", "node-c" }) _agents[node] = await StartAgentAsync(node);
    }

    public async ValueTask DisposeAsync()
    {
        _channels.Dispose();
        foreach (var agent in _agents.Values) await agent.DisposeAsync();
        _pki.Dispose();
    }

    private Task<TestAgent> StartAgentAsync(string node, string? dataDirectory = null) =>
        TestAgent.StartAsync(_pki.AgentCertificatePath, _pki.AgentKeyPath, _pki.CaPath, dataDirectory, node, settings: NapScript);

    private CommandFanOut FanOut(TimeSpan? grace = null) =>
        new(_channels, node => _agents.TryGetValue(node, out var agent) ? new AgentEndpoint(node, node, agent.Address, true, "1.2.3") : null, TimeProvider.System, NullLogger<CommandFanOut>.Instance)
        {
            AgentGrace = grace ?? TimeSpan.FromSeconds(10),
        };

    /// <summary>A fan-out to agent processes by node, whose addresses the test changes as it kills and replaces them.</summary>
    private CommandFanOut FanOutTo(ConcurrentDictionary<string, string> addresses, TimeSpan grace) =>
        new(_channels, node => addresses.TryGetValue(node, out var address) ? new AgentEndpoint(node, node, address, true, "1.2.3") : null, TimeProvider.System, NullLogger<CommandFanOut>.Instance)
        {
            AgentGrace = grace,
        };

    /// <summary>A 30 s nap on one node: long enough to kill its agent in the middle.</summary>
    private static FanOutRequest LongNap(string node) => Request("script.run", [node], parameters: new() { ["script"] = "nap", ["seconds"] = "30" });

    private static Task StartedOnAsync(AgentProcess agent) =>
        Eventually.True(() => Task.FromResult(Directory.Exists(Path.Combine(agent.DataDirectory, "executions"))), "the target to start on the agent");

    private static FanOutRequest Request(string action, IEnumerable<string> nodes, int parallelism = 100, Dictionary<string, string>? parameters = null, string uid = "uid-1") =>
        new(uid, "ops-system", new V1Alpha1DiagnosticCommand.CommandSpec { Action = action, Parallelism = parallelism, TimeoutSeconds = 30, Parameters = parameters },
            [.. nodes.Select(CommandTarget.ForNode)]);

    [Fact]
    public async Task Every_target_runs_on_its_nodes_agent_and_reports_running_then_its_result()
    {
        var reports = new ConcurrentQueue<TargetRecord>();

        await FanOut().RunAsync(Request("node.info", ["node-a", "node-b", "node-c"]), reports.Enqueue, _ct);

        var final = reports.Where(r => r.IsFinished).ToDictionary(r => r.Target.Node);
        Assert.Equal(3, final.Count);
        Assert.All(final, f => Assert.Equal(TargetPhase.Succeeded, f.Value.Phase));
        Assert.All(final, f => Assert.Contains($"\"node\": \"{f.Key}\"", System.Text.Encoding.UTF8.GetString(f.Value.Output!)));
        Assert.Equal(3, reports.Count(r => r.Phase == TargetPhase.Running));
    }

    [Fact]
    public async Task A_node_without_an_agent_fails_its_target_with_the_reason_after_the_grace()
    {
        var reports = new ConcurrentQueue<TargetRecord>();

        await FanOut(grace: TimeSpan.FromSeconds(1)).RunAsync(Request("node.info", ["node-a", "node-z"]), reports.Enqueue, _ct);

        var missing = reports.Single(r => r.IsFinished && r.Target.Node == "node-z");
        Assert.Equal(TargetPhase.Failed, missing.Phase);
        Assert.Equal("no agent runs on node node-z", missing.Message);
        Assert.Equal(TargetPhase.Succeeded, reports.Single(r => r.IsFinished && r.Target.Node == "node-a").Phase);
    }

    [Fact]
    public async Task No_more_than_parallelism_targets_are_in_flight()
    {
        var inFlight = 0;
        var max = 0;
        var nodes = Enumerable.Range(0, 6).Select(i => new[] { "node-a", "node-b", "node-c" }[i % 3]).ToList();
        var request = Request("script.run", [], parallelism: 2, parameters: new() { ["script"] = "nap", ["seconds"] = "0.3" }) with
        {
            Targets = [.. nodes.Select((n, i) => new CommandTarget($"node/{n}/{i}", n))],
        };

        await FanOut().RunAsync(request, r =>
        {
            var now = r.Phase == TargetPhase.Running ? Interlocked.Increment(ref inFlight) : r.IsFinished ? Interlocked.Decrement(ref inFlight) : inFlight;
            int seen;
            while (now > (seen = max) && Interlocked.CompareExchange(ref max, now, seen) != seen) { }
        }, _ct);

        Assert.Equal(2, max);
    }

    [Fact]
    public async Task Running_the_fan_out_again_for_the_same_command_runs_nothing_twice()
    {
        var first = new ConcurrentQueue<TargetRecord>();
        var second = new ConcurrentQueue<TargetRecord>();

        await FanOut().RunAsync(Request("node.info", ["node-a", "node-b", "node-c"]), first.Enqueue, _ct);
        await FanOut().RunAsync(Request("node.info", ["node-a", "node-b", "node-c"]), second.Enqueue, _ct);

        Assert.Equal(3, _agents.Values.Sum(a => a.Executions.Started));
        Assert.Equal(first.Where(r => r.IsFinished).Select(r => r.Output!.Length).Order(), second.Where(r => r.IsFinished).Select(r => r.Output!.Length).Order());
    }

    [Fact]
    public async Task A_fan_out_resumed_after_a_cancel_reports_what_ran_and_starts_nothing()
    {
        await FanOut().RunAsync(Request("node.info", ["node-a"]), _ => { }, _ct);
        var reports = new ConcurrentQueue<TargetRecord>();

        await FanOut().RunAsync(Request("node.info", ["node-a", "node-b"]), reports.Enqueue, _ct, new CancellationToken(canceled: true));

        Assert.Equal(TargetPhase.Succeeded, reports.Single(r => r.Target.Node == "node-a").Phase);
        Assert.Equal("cancelled before it started", reports.Single(r => r.Target.Node == "node-b").Message);
        Assert.Equal(1, _agents.Values.Sum(a => a.Executions.Started));
    }

    [Fact]
    public async Task A_cancel_stops_the_running_target_on_its_agent_and_skips_the_rest()
    {
        var reports = new ConcurrentQueue<TargetRecord>();
        using var cancel = new CancellationTokenSource();
        var running = FanOut().RunAsync(Request("script.run", ["node-a", "node-b", "node-c"], parallelism: 1, parameters: new() { ["script"] = "nap", ["seconds"] = "30" }),
            reports.Enqueue, _ct, cancel.Token);
        await Eventually.True(() => Task.FromResult(_agents.Values.Sum(a => a.Executions.Started) == 1), "the first target to start");

        await cancel.CancelAsync();
        await running.WaitAsync(Timeouts.Eventually, _ct);

        var final = reports.Where(r => r.IsFinished).ToList();
        Assert.Equal(3, final.Count);
        Assert.All(final, r => Assert.Equal(TargetPhase.Cancelled, r.Phase));
        Assert.Equal(["cancelled", "cancelled before it started", "cancelled before it started"], final.Select(r => r.Message).Order());
        Assert.Equal(1, _agents.Values.Sum(a => a.Executions.Started));
    }

    [Fact]
    public async Task An_agent_killed_mid_target_fails_that_target_with_the_reason_and_the_command_finishes()
    {
        var dying = await AgentProcess.StartAsync(_pki, "node-d", settings: NapScript);
        AgentProcess? replacement = null;
        var addresses = new ConcurrentDictionary<string, string> { ["node-d"] = dying.Address };
        var reports = new ConcurrentQueue<TargetRecord>();
        try
        {
            var running = FanOutTo(addresses, TimeSpan.FromSeconds(10)).RunAsync(LongNap("node-d"), reports.Enqueue, _ct);
            await StartedOnAsync(dying);

            await dying.KillAsync();
            replacement = await AgentProcess.StartAsync(_pki, "node-d", dying.DataDirectory, NapScript);
            addresses["node-d"] = replacement.Address;
            await running.WaitAsync(Timeouts.Eventually, _ct);

            var result = reports.Single(r => r.IsFinished);
            Assert.Equal(TargetPhase.Failed, result.Phase);
            Assert.Equal("the agent restarted while this target was running; it was not run again", result.Message);
        }
        finally
        {
            await dying.DisposeAsync();
            if (replacement is not null) await replacement.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_agent_replaced_late_in_a_long_target_gets_the_whole_grace_to_come_back()
    {
        var dying = await AgentProcess.StartAsync(_pki, "node-e", settings: NapScript);
        AgentProcess? replacement = null;
        var addresses = new ConcurrentDictionary<string, string> { ["node-e"] = dying.Address };
        var reports = new ConcurrentQueue<TargetRecord>();
        try
        {
            var running = FanOutTo(addresses, TimeSpan.FromSeconds(8)).RunAsync(LongNap("node-e"), reports.Enqueue, _ct);
            await StartedOnAsync(dying);
            // Longer into the target than the whole grace, the agent dies and its pod is gone for a second.
            // The replacement process starts before the pod goes missing: how long a process takes to
            // start on a loaded machine must not eat into the grace the test measures.
            await Task.Delay(TimeSpan.FromSeconds(9), _ct);
            await dying.KillAsync();
            replacement = await AgentProcess.StartAsync(_pki, "node-e", dying.DataDirectory, NapScript);
            addresses.TryRemove("node-e", out _);
            await Task.Delay(TimeSpan.FromSeconds(1), _ct);
            addresses["node-e"] = replacement.Address;
            await running.WaitAsync(Timeouts.Eventually, _ct);

            // The replacement was waited for and asked: it reports the cut target (not "no agent runs on node").
            var result = reports.Single(r => r.IsFinished);
            Assert.Equal("the agent restarted while this target was running; it was not run again", result.Message);
        }
        finally
        {
            await dying.DisposeAsync();
            if (replacement is not null) await replacement.DisposeAsync();
        }
    }
}
