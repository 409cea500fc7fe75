using k8s;
using k8s.Models;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Security;

/// <summary>
/// What a team allowed DiagnosticCommands only in its own namespace tried in issue 23 beyond the network checks: an
/// administrator's script and a full dump on its own pods. Its DiagnosticPolicy (samples/diagnosticpolicy-shop.yaml)
/// refuses both at the start, naming itself and the rule; and a policy's change applies to the next command and wakes the ScheduledTasks.
/// </summary>
public sealed class TenantPolicyTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_team_cannot_run_an_administrators_script_or_a_full_dump_on_its_own_pods()
    {
        var shop = DemoCluster.ShopNamespace;
        var suffix = Guid.NewGuid().ToString("N")[..6];
        await Commands.CreateAsync(cluster.Client, shop, $"script-{suffix}", Commands.OnPods("script.run", new() { ["script"] = ClusterFixture.MarkScript, ["file"] = "/tmp/x" }, "checkout"));
        await Commands.CreateAsync(cluster.Client, shop, $"full-dump-{suffix}", Commands.OnPods("dotnet.dump", new() { ["type"] = "full" }, "checkout"));

        var script = await Commands.FinishedAsync(cluster.Client, shop, $"script-{suffix}");
        var dump = await Commands.FinishedAsync(cluster.Client, shop, $"full-dump-{suffix}");

        Assert.Equal((CommandPhase.Failed, CommandPhase.Failed), (script.Status!.Phase, dump.Status!.Phase));
        Assert.Equal((CommandStartGate.PolicyDenied, "DiagnosticPolicy shop-team does not allow script.run (group scripts) in namespace shop: its actionGroups and actions allow group read-only, group dotnet-light, group dotnet-heavy"),
            (Commands.Condition(script, ConditionTypes.Accepted)!.Reason, Commands.Condition(script, ConditionTypes.Accepted)!.Message));
        Assert.Equal("DiagnosticPolicy shop-team allows dumps up to maxDumpType mini in namespace shop; a full dump was asked for", Commands.Condition(dump, ConditionTypes.Accepted)!.Message);
        Assert.Equal(0, script.Status.Targets?.Total ?? 0);
    }

    [Fact]
    public async Task A_policy_change_applies_to_the_commands_that_start_after_it()
    {
        var ns = await cluster.CreateNamespaceAsync("policy");
        var policy = await TestPolicies.ForNamespaceAsync(cluster.Client, $"{ns}-no-reads", ns, s => s.ActionGroups = ["dotnet-light"], _ct);

        await Commands.CreateAsync(cluster.Client, ns, "while-denied", Commands.OnPods("processes", null, "none"));
        var denied = await Commands.FinishedAsync(cluster.Client, ns, "while-denied");
        var task = new V1Alpha1ScheduledTask
        {
            Metadata = new V1ObjectMeta { Name = "hourly", NamespaceProperty = ns },
            Spec = new() { Schedule = "0 * * * *", Template = new() { Spec = Commands.OnPods("processes", null, "none") } },
        };
        await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(task, ApiGroup.Name, ApiGroup.Version, ns, V1Alpha1ScheduledTask.Plural, cancellationToken: _ct);
        await Eventually.True(async () => Scheduled(await TaskAsync(ns)) is { Status: "False", Reason: CommandStartGate.PolicyDenied }, "the task to say its template is forbidden");
        var patch = new V1Patch("""{"spec":{"actionGroups":["dotnet-light","read-only"]}}""", V1Patch.PatchType.MergePatch);
        await cluster.Client.CustomObjects.PatchClusterCustomObjectAsync(patch, ApiGroup.Name, ApiGroup.Version, V1Alpha1DiagnosticPolicy.Plural, policy.Metadata.Name, cancellationToken: _ct);
        await Eventually.True(async () => (await TestPolicies.GetAsync(cluster.Client, policy.Metadata.Name, _ct)).Status?.ObservedGeneration == 2, "the operator to see the policy's change");
        await Commands.CreateAsync(cluster.Client, ns, "after-change", Commands.OnPods("processes", null, "none"));
        var after = await Commands.FinishedAsync(cluster.Client, ns, "after-change");
        // Woken by the policy's change, not by a change of its own.
        await Eventually.True(async () => Scheduled(await TaskAsync(ns))?.Status == "True", "the task to be scheduled again", TimeSpan.FromSeconds(15));

        Assert.Equal(CommandStartGate.PolicyDenied, Commands.Condition(denied, ConditionTypes.Accepted)!.Reason);
        Assert.StartsWith($"DiagnosticPolicy {ns}-no-reads does not allow processes (group read-only) in namespace {ns}", Commands.Condition(denied, ConditionTypes.Accepted)!.Message);
        // Both policies allow it now: the command fails only for want of pods.
        Assert.Equal("NoTargets", Commands.Condition(after, ConditionTypes.Accepted)!.Reason);
    }

    private async Task<V1Alpha1ScheduledTask> TaskAsync(string ns) =>
        await cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync<V1Alpha1ScheduledTask>(ApiGroup.Name, ApiGroup.Version, ns, V1Alpha1ScheduledTask.Plural, "hourly", cancellationToken: _ct);

    private static V1Condition? Scheduled(V1Alpha1ScheduledTask task) => task.Status?.Conditions?.FirstOrDefault(c => c.Type == "Scheduled");

}
