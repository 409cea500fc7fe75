using k8s;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticTriggers;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Triggers;

/// <summary>
/// A crash analysed with no one watching: a .NET pod whose runtime writes its crash dump to an emptyDir, a
/// containerRestarted trigger running dotnet.crashdumps, and /chaos/crash. The restarted container serves on; the
/// command's status names the crash and lists the crash dump, kept as the pod's artifact, and its analysis.
/// </summary>
public sealed class CrashDumpTriggerTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_crash_leaves_a_crash_dump_that_a_containerRestarted_trigger_keeps_and_analyses()
    {
        var team = await TriggerNamespace.CreateAsync(cluster, "crashdump", _ct, ["read-only", "dotnet-light", "dotnet-heavy"]);
        (await team.ApplyAsync("crash", """
            target:
              selector: {matchLabels: {app: shop}}
              container: api
            condition: {containerRestarted: {}}
            action: {action: dotnet.crashdumps, timeoutSeconds: 120}
            """)).EnsureSuccess();
        await team.StatusAsync("crash", s => s.Pods?.SingleOrDefault()?.State == TriggerPodStates.Watching, "the trigger to watch the pod", _ct);

        await team.ChaosAsync("/chaos/crash", _ct);
        var fired = await team.StatusAsync("crash", s => s.Firings?.Any(f => f.Outcome == TriggerFiringOutcomes.Fired) == true, "the trigger to fire", _ct);
        var command = await Commands.FinishedAsync(cluster.Client, team.Name, fired.Status!.Firings!.Single().Command!, Timeouts.SlowCommand);
        var pod = await team.PodReadyAsync(_ct);

        Assert.True(command.Status!.Phase == CommandPhase.Succeeded, KubernetesJson.Serialize(command.Status));
        var result = Assert.Single(command.Status.Results!);
        Assert.StartsWith("CRASH: thread ", result.Summary);
        Assert.Contains("called Environment.FailFast from Ops.SampleApp.Chaos.Crash.Soon()", result.Summary);
        Assert.Contains("crash dumps in ", result.Summary);
        var dump = Assert.Single(result.Artifacts!, a => a.Name.StartsWith("crash-", StringComparison.Ordinal));
        Assert.Matches(@"^crash-[0-9a-f]{12}-.+\.[0-9]+\.[0-9]+\.dmp$", dump.Name);
        Assert.True(dump.SizeBytes > 1 << 20, $"a crash dump of {dump.SizeBytes} bytes");
        Assert.Single(result.Artifacts!, a => a.Name.EndsWith(".analysis.json", StringComparison.Ordinal));
        Assert.Equal(1, pod.Status.ContainerStatuses.Single().RestartCount);
    }
}
