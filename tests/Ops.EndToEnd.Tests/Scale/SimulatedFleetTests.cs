using k8s;
using Ops.AgentSimulation;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.Operator.Hosting;
using Ops.Sandbox.Security;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Scale;

/// <summary>
/// The real operator over a fleet of simulated agents (the load simulator the scale benchmark runs at
/// 5,000 nodes): each target answered by its own node's agent, exactly once, failures reported with
/// the agent's reason, and a fan-out's API writes far fewer than its targets.
/// </summary>
public sealed class SimulatedFleetTests : IAsyncLifetime
{
    private const int NodeCount = 120;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private SimulatedAgents _agents = null!;
    private DemoCluster _cluster = null!;

    public async ValueTask InitializeAsync()
    {
        _agents = await SimulatedAgents.StartAsync(new AgentSimulationOptions { Latency = TimeSpan.FromMilliseconds(20), FailureRate = 0.1 }, cancellationToken: _ct);
        _cluster = await DemoCluster.StartAsync(new DemoOptions { CrdsDirectory = RepositoryPaths.Crds, Nodes = NodeCount, Workload = false, AgentImage = _agents.Image }, cancellationToken: _ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _agents.DisposeAsync();
    }

    /// <summary>The operator's writes but its lease renewals.</summary>
    private long OperatorWrites() => _cluster.Server.Accesses.CountOf(OperatorServiceCollectionExtensions.UserAgent, a => AccessLog.WriteVerbs.Contains(a.Verb) && a.Resource != "leases");

    /// <summary>The operator's writes once they have stopped for a second: a finished command's last writes (its Events) may trail its status and finalizer.</summary>
    private async Task<long> SettledWritesAsync()
    {
        var (last, now) = (-1L, OperatorWrites());
        for (var look = 0; now != last && look < 30; look++)
        {
            last = now;
            await Task.Delay(TimeSpan.FromSeconds(1), _ct);
            now = OperatorWrites();
        }
        return now;
    }

    [Fact]
    public async Task A_fan_out_to_every_node_runs_each_target_once_on_its_own_agent_with_few_API_writes_and_a_one_target_command_with_five()
    {
        var writesBefore = OperatorWrites();
        await Commands.CreateAsync(_cluster.Client, DemoCluster.OpsNamespace, "every-node",
            new V1Alpha1DiagnosticCommand.CommandSpec { Action = "node.info", Target = new V1Alpha1DiagnosticCommand.TargetSpec { Nodes = new V1Alpha1DiagnosticCommand.NodeTarget() } });

        var done = await Commands.FinishedAsync(_cluster.Client, DemoCluster.OpsNamespace, "every-node");
        await Eventually.True(async () => (await Commands.GetAsync(_cluster.Client, DemoCluster.OpsNamespace, "every-node"))?.Metadata.Finalizers is null or { Count: 0 }, "the finalizer removed");

        Assert.Equal(CommandPhase.PartiallyFailed, done.Status!.Phase);
        Assert.Equal(NodeCount, done.Status.Targets!.Total);
        Assert.Equal(_agents.Stats.Failures, done.Status.Targets.Failed);
        Assert.Equal(NodeCount - _agents.Stats.Failures, done.Status.Targets.Succeeded);
        Assert.Equal(NodeCount, _agents.Stats.Executions);
        Assert.All(done.Status.Results!, r =>
        {
            if (r.Phase == TargetPhase.Succeeded) Assert.Contains($"node.info on {r.Target.Node} (simulated)", r.Summary, StringComparison.Ordinal);
            else Assert.Equal($"simulated failure of node.info on {r.Target.Node}", r.Message);
        });
        // Plan, finalizer on and off, a few status writes, result shards and two Events: not one write per target.
        var settled = await SettledWritesAsync();
        Assert.InRange(settled - writesBefore, 5, NodeCount / 4);

        // A one-target command: its plan with the finalizer, its result ConfigMap, the finalizer off, its final status and Event.
        writesBefore = settled;
        await Commands.CreateAsync(_cluster.Client, DemoCluster.OpsNamespace, "one-node",
            new V1Alpha1DiagnosticCommand.CommandSpec { Action = "node.info", Target = new V1Alpha1DiagnosticCommand.TargetSpec { Nodes = new V1Alpha1DiagnosticCommand.NodeTarget { Names = ["node-3"] } } });
        await Commands.FinishedAsync(_cluster.Client, DemoCluster.OpsNamespace, "one-node");
        var events = await Eventually.Get(async () => (await _cluster.Client.CoreV1.ListNamespacedEventAsync(DemoCluster.OpsNamespace, fieldSelector: "involvedObject.name=one-node", cancellationToken: _ct)).Items
            is var items && items.Any(e => e.Reason is CommandPhase.Succeeded or CommandPhase.Failed) ? items : null, "the final Event");
        var writes = await SettledWritesAsync() - writesBefore;
        // On a loaded machine the target may outlast the first progress pass (a second): then a Running status and a Started Event too.
        Assert.Equal(events.Any(e => e.Reason == "Started") ? 7 : 5, writes);
    }
}
