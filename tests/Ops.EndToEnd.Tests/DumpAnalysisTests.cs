using k8s;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>
/// A dump of a deadlocked .NET pod through a DiagnosticCommand: the command's status names the deadlock (its result
/// summary, the output's first KiB), and the dump and its analysis are both artifacts of the target.
/// </summary>
public sealed class DumpAnalysisTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_heap_dump_of_a_deadlocked_pod_names_the_deadlock_in_the_commands_status()
    {
        var ns = await cluster.CreateNamespaceAsync("dump");
        await TestPolicies.ForNamespaceAsync(cluster.Client, $"{ns}-dumps", ns, s => (s.ActionGroups, s.MaxDumpType) = (["read-only", "dotnet-light", "dotnet-heavy"], "heap"), _ct);
        var pod = await SampleAppPod.CreateAsync(cluster, ns, "locked", _ct);
        using (var http = new HttpClient())
        {
            using var response = await http.PostAsync($"http://{pod.Status.PodIP}:8080/chaos/deadlock", null, _ct);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        }

        await Commands.CreateAsync(cluster.Client, ns, "dump", Commands.OnPods("dotnet.dump", new Dictionary<string, string> { ["type"] = "heap" }, "locked"));
        var done = await Commands.FinishedAsync(cluster.Client, ns, "dump", Timeouts.SlowCommand);

        Assert.True(done.Status!.Phase == CommandPhase.Succeeded, KubernetesJson.Serialize(done.Status));
        var result = Assert.Single(done.Status.Results!);
        Assert.StartsWith("DEADLOCK: thread ", result.Summary);
        Assert.Contains("LockLedgerThenInventory", result.Summary);
        Assert.Contains("LockInventoryThenLedger", result.Summary);
        Assert.Equal(["heap.analysis.json", "heap.dmp"], result.Artifacts!.Select(a => a.Name[(a.Name.LastIndexOf("-heap", StringComparison.Ordinal) + 1)..]).Order());
    }
}
