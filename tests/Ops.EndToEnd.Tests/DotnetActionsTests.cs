using k8s;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>The .NET actions the samples do not cover, through the operator and the node agents, against the checkout pods.</summary>
public sealed class DotnetActionsTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private async Task<V1Alpha1DiagnosticCommand> RunOnOnePodAsync(string name, string action, Dictionary<string, string>? parameters = null)
    {
        var spec = Commands.OnPods(action, parameters, "checkout", "api");
        spec.Target.Sample = new V1Alpha1DiagnosticCommand.SampleSpec { Mode = "one" };
        await Commands.CreateAsync(cluster.Client, DemoCluster.ShopNamespace, name, spec);
        return await Commands.FinishedAsync(cluster.Client, DemoCluster.ShopNamespace, name, Timeouts.SlowCommand);
    }

    private async Task<string> FullOutputAsync(V1Alpha1DiagnosticCommand command) =>
        (await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync(command.Status!.Results![0].ResultRef, DemoCluster.ShopNamespace, cancellationToken: _ct)).Data.Single().Value;

    [Fact]
    public async Task Processes_counters_and_a_mini_dump_of_a_checkout_pod_through_its_nodes_agent()
    {
        var processes = await RunOnOnePodAsync("dotnet-processes", "dotnet.processes");
        var counters = await RunOnOnePodAsync("dotnet-counters", "dotnet.counters", new() { ["duration"] = "2s" });
        var dump = await RunOnOnePodAsync("dotnet-dump", "dotnet.dump", new() { ["type"] = "mini" });

        Assert.Equal(CommandPhase.Succeeded, processes.Status!.Phase);
        var row = (await FullOutputAsync(processes)).Split('\n')[1].Split('\t');
        Assert.Equal([$"{Environment.Version.Major}.", "Ops.SampleApp"], [row[2][..(row[2].IndexOf('.') + 1)], row[3]]);
        Assert.Equal(CommandPhase.Succeeded, counters.Status!.Phase);
        Assert.Matches(@"\nworking-set\t[1-9][0-9.]* MB\t", await FullOutputAsync(counters));
        Assert.Equal(CommandPhase.Succeeded, dump.Status!.Phase);
        // The dump, and its analysis beside it.
        Assert.Equal(["-mini.analysis.json", "-mini.dmp"], dump.Status.Results![0].Artifacts!.Select(a => a.Name[a.Name.LastIndexOf("-mini", StringComparison.Ordinal)..]).Order());
        var artifact = dump.Status.Results[0].Artifacts!.Single(a => a.Name.EndsWith(".dmp", StringComparison.Ordinal));
        Assert.True(artifact.SizeBytes > 1024 * 1024, $"a mini dump of {artifact.SizeBytes} bytes");
    }
}
