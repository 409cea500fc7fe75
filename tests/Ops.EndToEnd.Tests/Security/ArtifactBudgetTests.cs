using k8s;
using k8s.Models;
using Ops.Demo;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Security;

/// <summary>
/// DiagnosticPolicy's maxArtifactBytesPerDay on a namespace of its own with one .NET pod: a heap snapshot runs, its
/// bytes are counted when it finishes, and the next heavy action is refused for the rest of the day — deleting the
/// first command gives nothing back.
/// </summary>
public sealed class ArtifactBudgetTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Once_a_namespaces_artifacts_reach_the_days_limit_heavy_actions_are_refused_until_midnight()
    {
        var ns = await cluster.CreateNamespaceAsync("budget");
        await TestPolicies.ForNamespaceAsync(cluster.Client, $"{ns}-budget", ns, s => (s.ActionGroups, s.MaxArtifactBytesPerDay) = (["read-only", "dotnet-light", "dotnet-heavy"], 1), _ct);
        await SampleAppPod.CreateAsync(cluster, ns, "budget", _ct);

        await Commands.CreateAsync(cluster.Client, ns, "first", Commands.OnPods("dotnet.gcdump", null, "budget"));
        var first = await Commands.FinishedAsync(cluster.Client, ns, "first", Timeouts.SlowCommand);
        Assert.True(first.Status!.Phase == CommandPhase.Succeeded, $"the first snapshot: {KubernetesJson.Serialize(first.Status)}");
        // Counted just after the final status is written: a command created in between would still start.
        await Eventually.True(async () => (await cluster.Client.CoreV1.ListNamespacedConfigMapAsync(DemoCluster.OpsNamespace, fieldSelector: "metadata.name=ops-operator-artifact-ledger", cancellationToken: _ct))
            .Items.Any(m => m.Data?.ContainsKey(ns) == true), "the operator to count the snapshot's bytes");
        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, ns, V1Alpha1DiagnosticCommand.Plural, "first", cancellationToken: _ct);
        await Commands.CreateAsync(cluster.Client, ns, "second", Commands.OnPods("dotnet.gcdump", null, "budget"));
        await Commands.CreateAsync(cluster.Client, ns, "light", Commands.OnPods("dotnet.stacks", null, "budget"));
        var second = await Commands.FinishedAsync(cluster.Client, ns, "second");
        var light = await Commands.FinishedAsync(cluster.Client, ns, "light", Timeouts.SlowCommand);

        var bytes = first.Status.Results!.SelectMany(r => r.Artifacts ?? []).Sum(a => a.SizeBytes ?? 0);
        Assert.True(bytes > 0, "the heap snapshot has a size");
        Assert.Equal((CommandStartGate.PolicyDenied, $"the commands of namespace {ns} have written {bytes} bytes of artifacts today (UTC) and DiagnosticPolicy {ns}-budget allows 1 a day (maxArtifactBytesPerDay); dotnet.gcdump can start again after midnight UTC"),
            (Commands.Condition(second, ConditionTypes.Accepted)!.Reason, Commands.Condition(second, ConditionTypes.Accepted)!.Message));
        Assert.Equal(CommandPhase.Succeeded, light.Status!.Phase);
    }
}
