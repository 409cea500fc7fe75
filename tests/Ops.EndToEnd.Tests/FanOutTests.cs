using System.Text;
using k8s;
using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>A large fan-out: the status stays small, every full output is kept in the result ConfigMaps.</summary>
public sealed class FanOutTests(ClusterFixture cluster)
{
    private const int Targets = 200;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_command_on_200_pods_finishes_with_a_status_under_256_KiB_and_every_full_output_retrievable()
    {
        var ns = await cluster.CreateNamespaceAsync("fanout");
        // Long command lines make each target's output about 2.5 KiB: 200 of them in status would pass 256 KiB.
        var args = new List<string> { "infinity" };
        args.AddRange(Enumerable.Repeat("0", 1200));
        await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "sleepers" },
            Spec = new V1DeploymentSpec
            {
                Replicas = Targets,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "sleepers" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "sleepers" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "sleep", Args = args }], TerminationGracePeriodSeconds = 1 },
                },
            },
        }, ns, cancellationToken: _ct);
        await Eventually.True(async () => (await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("sleepers", ns, cancellationToken: _ct)).Status?.ReadyReplicas == Targets,
            $"{Targets} pods running", Timeouts.ClusterStart);

        await Commands.CreateAsync(cluster.Client, ns, "everyone", Commands.OnPods("processes", null, "sleepers"));
        var done = await Commands.FinishedAsync(cluster.Client, ns, "everyone", Timeouts.SlowCommand);

        var status = done.Status!;
        Assert.Equal(CommandPhase.Succeeded, status.Phase);
        Assert.Equal(Targets, status.Targets!.Succeeded);
        Assert.Equal(CommandStatusBuilder.MaxListedResults, status.Results!.Count);
        Assert.Equal(Targets - CommandStatusBuilder.MaxListedResults, status.OmittedResults);
        var raw = await Commands.GetRawAsync(cluster.Client, ns, "everyone");
        var statusBytes = Encoding.UTF8.GetByteCount(raw["status"]!.ToJsonString());
        Assert.True(statusBytes < 256 * 1024, $"status is {statusBytes} bytes");

        var shards = (await cluster.Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "ops.dev/command=everyone", cancellationToken: _ct)).Items
            .Where(m => m.Metadata.Name.StartsWith("everyone-results-", StringComparison.Ordinal)).ToList();
        var outputs = shards.SelectMany(s => s.Data).ToDictionary(p => p.Key, p => p.Value);
        var pods = (await cluster.Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: _ct)).Items;
        Assert.True(outputs.Count == Targets, $"{outputs.Count} outputs in {string.Join(", ", shards.Select(m => $"{m.Metadata.Name} ({m.Data.Count} keys, {m.BinaryData?.Count ?? 0} binary)"))}");
        foreach (var pod in pods)
        {
            var output = outputs[$"pod_{ns}_{pod.Metadata.Name}_main"];
            Assert.Contains($"\n{SandboxPods.Pid(pod)}\t", output);
            Assert.True(output.Length > 2400, $"output of {pod.Metadata.Name} is {output.Length} chars");
        }
        Assert.All(status.Results, r => Assert.StartsWith(r.Summary!.TrimEnd('…'), outputs[$"pod_{ns}_{r.Target.Pod}_main"], StringComparison.Ordinal));
        Assert.All(status.Results, r => Assert.StartsWith("everyone-results-", r.ResultRef));

        await cluster.Client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: _ct);
    }
}
