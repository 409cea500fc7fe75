using System.Diagnostics;
using k8s;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>Kills the cluster's operator, so it runs alone: the other tests would see a pause in reconciling.</summary>
[Collection(nameof(ClusterWideCollection))]
public sealed class OperatorRestartTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private static readonly string Ops = DemoCluster.OpsNamespace;

    [Fact]
    public async Task Killing_the_operator_mid_fan_out_completes_the_command_with_no_target_run_twice_and_rewrites_no_unchanged_status()
    {
        await Commands.CreateAsync(cluster.Client, Ops, "steady", Commands.OnNodes("node.info"));
        var steady = await Commands.FinishedAsync(cluster.Client, Ops, "steady");
        var file = LifecycleTests.RunsFile();
        await Commands.CreateAsync(cluster.Client, Ops, "survive-restart", Commands.OnNodes("script.run", LifecycleTests.Mark(file, 3), parallelism: 1));
        await Commands.StatusAsync(cluster.Client, Ops, "survive-restart", s => s.Targets?.Succeeded >= 1 && s.Targets.Running == 1, "the fan-out half way");

        var operatorPod = await SandboxPods.OperatorAsync(cluster.Client, _ct);
        var restarts = operatorPod.Status.ContainerStatuses.Single().RestartCount;
        using (var process = Process.GetProcessById(SandboxPods.Pid(operatorPod)))
        {
            process.Kill();
        }

        var done = await Commands.FinishedAsync(cluster.Client, Ops, "survive-restart", Timeouts.CommandThroughFault);
        Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
        Assert.Equal(3, done.Status.Targets!.Succeeded);
        Assert.Equal(["node-1", "node-2", "node-3"], (await LifecycleTests.RunsAsync(file)).Order());
        var restarted = (await cluster.Client.CoreV1.ReadNamespacedPodAsync(operatorPod.Metadata.Name, Ops, cancellationToken: _ct)).Status.ContainerStatuses.Single();
        Assert.Equal(restarts + 1, restarted.RestartCount);
        // The restarted operator reconciled every command again; one whose status had nothing new was not written.
        Assert.Equal(steady.Metadata.ResourceVersion, (await Commands.GetAsync(cluster.Client, Ops, "steady"))!.Metadata.ResourceVersion);
    }
}
