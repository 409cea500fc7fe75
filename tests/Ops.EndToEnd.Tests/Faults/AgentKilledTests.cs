using System.Diagnostics;
using k8s;
using Ops.Demo;
using Ops.Operator.Agents;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Faults;

/// <summary>Kills a real agent of the shared cluster (so it runs alone, with the cluster-wide tests).</summary>
[Collection(nameof(ClusterWideCollection))]
public sealed class AgentKilledTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private static readonly string Ops = DemoCluster.OpsNamespace;

    [Fact]
    public async Task An_agent_killed_mid_command_fails_its_target_with_the_reason_runs_it_no_second_time_and_the_others_finish()
    {
        var file = LifecycleTests.RunsFile();
        await Commands.CreateAsync(cluster.Client, Ops, "agent-killed", Commands.OnNodes("script.run", LifecycleTests.Mark(file, 4)));
        await Commands.StatusAsync(cluster.Client, Ops, "agent-killed", s => s.Targets is { Running: 3 }, "every target running");
        await Eventually.True(async () => (await LifecycleTests.RunsAsync(file)).Length == 3, "the three scripts to start");
        var agent = (await cluster.Client.CoreV1.ListNamespacedPodAsync(Ops, labelSelector: AgentRegistry.AgentLabel, fieldSelector: "spec.nodeName=node-2", cancellationToken: _ct)).Items.Single();
        var restarts = agent.Status.ContainerStatuses.Single().RestartCount;

        using (var process = Process.GetProcessById(SandboxPods.Pid(agent)))
        {
            process.Kill(); // SIGKILL: no draining, no goodbye.
        }

        var done = await Commands.FinishedAsync(cluster.Client, Ops, "agent-killed", Timeouts.CommandThroughFault);
        Assert.Equal(CommandPhase.PartiallyFailed, done.Status!.Phase);
        Assert.Equal(2, done.Status.Targets!.Succeeded);
        var cut = Assert.Single(done.Status.Results!, r => r.Phase == TargetPhase.Failed);
        Assert.Equal("node-2", cut.Target.Node);
        Assert.Equal("the agent restarted while this target was running; it was not run again", cut.Message);
        // The restarted agent read its journal: the script was started once on each node, node-2's included.
        Assert.Equal(["node-1", "node-2", "node-3"], (await LifecycleTests.RunsAsync(file)).Order());
        var restarted = (await cluster.Client.CoreV1.ReadNamespacedPodAsync(agent.Metadata.Name, Ops, cancellationToken: _ct)).Status.ContainerStatuses.Single();
        Assert.Equal(restarts + 1, restarted.RestartCount);
    }
}
