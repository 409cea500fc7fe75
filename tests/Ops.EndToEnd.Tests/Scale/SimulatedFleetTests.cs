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

    private long OperatorWrites() => _cluster.Server.Accesses.CountOf(OperatorServiceCollectionExtensions.UserAgent, a => AccessLog.WriteVerbs.Contains(a.Verb));

    [Fact]
    public async Task A_fan_out_to_every_node_runs_each_target_once_on_its_own_agent_with_few_API_writes()
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
        Assert.InRange(OperatorWrites() - writesBefore, 5, NodeCount / 4);
    }
}
