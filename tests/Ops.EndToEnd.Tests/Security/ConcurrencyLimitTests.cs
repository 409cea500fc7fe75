using k8s;
using k8s.Models;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Security;

/// <summary>
/// DiagnosticPolicy's maxConcurrentCommands: a second command of a namespace allowed one at a time waits, Pending with
/// condition Queued naming the policy, and starts as soon as the first finishes — woken, not found by a later poll.
/// </summary>
public sealed class ConcurrencyLimitTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_command_over_the_namespaces_limit_waits_queued_and_starts_when_the_running_one_ends()
    {
        // Not a test namespace: the tests' own policy (no node targets) would apply too.
        var ns = $"queue-{Guid.NewGuid().ToString("N")[..6]}";
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: _ct);
        await TestPolicies.ForNamespaceAsync(cluster.Client, $"{ns}-one-at-a-time", ns,
            s => (s.ActionGroups, s.Scripts, s.NodeTargets, s.MaxConcurrentCommands) = ([.. Agent.V1.Actions.ActionGroups.All], [ClusterFixture.MarkScript], true, 1), _ct);
        var file = MarkScript.NewRunsFile();

        await Commands.CreateAsync(cluster.Client, ns, "first", Commands.OnNodes("script.run", MarkScript.Parameters(file, 4), names: ["node-1"]));
        await Commands.StatusAsync(cluster.Client, ns, "first", s => s.Phase == CommandPhase.Running, "the first command to run");
        await Commands.CreateAsync(cluster.Client, ns, "second", Commands.OnNodes("script.run", MarkScript.Parameters(file, 0), names: ["node-1"]));
        var queued = await Commands.StatusAsync(cluster.Client, ns, "second", s => s.Conditions?.Any(c => c.Type == ConditionTypes.Queued && c.Status == "True") == true, "the second command to be queued");
        var first = await Commands.FinishedAsync(cluster.Client, ns, "first");
        var second = await Commands.FinishedAsync(cluster.Client, ns, "second");

        var condition = queued.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Queued);
        Assert.Equal(CommandPhase.Pending, queued.Status.Phase);
        Assert.Equal("ConcurrencyLimit", condition.Reason);
        Assert.Equal($"namespace {ns} runs 1 commands, the most DiagnosticPolicy {ns}-one-at-a-time allows at once (maxConcurrentCommands 1); this one starts when one of them finishes", condition.Message);
        Assert.Equal((CommandPhase.Succeeded, CommandPhase.Succeeded), (first.Status!.Phase, second.Status!.Phase));
        // Woken when the first ended: well within the 30 s a queued command otherwise waits before it looks again.
        var wait = second.Status.StartTime!.Value - first.Status.CompletionTime!.Value;
        Assert.True(wait < TimeSpan.FromSeconds(10), $"the second started {wait} after the first ended");
        Assert.Equal(["node-1", "node-1"], await File.ReadAllLinesAsync(file, _ct));
    }
}
