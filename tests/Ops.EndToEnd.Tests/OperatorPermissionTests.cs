using k8s;
using k8s.Models;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>
/// RBAC is enforced for the operator's service account: takes one grant out of the installed chart's ClusterRole,
/// so it runs alone (every command of the cluster would wait meanwhile).
/// </summary>
[Collection(nameof(ClusterWideCollection))]
public sealed class OperatorPermissionTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private static readonly string Ops = DemoCluster.OpsNamespace;

    [Fact]
    public async Task A_grant_taken_from_the_chart_makes_the_operators_call_a_403_the_command_shows_until_it_is_granted_again()
    {
        var role = await cluster.Client.RbacAuthorizationV1.ReadClusterRoleAsync(DemoCluster.OperatorDeployment, cancellationToken: _ct);
        var original = role.Rules.Select(r => r.Verbs.ToList()).ToList();
        var operatorPod = await SandboxPods.OperatorAsync(cluster.Client, _ct);
        var restarts = operatorPod.Status.ContainerStatuses.Single().RestartCount;
        // A command stores its outputs in ConfigMaps of its namespace: without "create configmaps" it cannot finish.
        foreach (var rule in role.Rules.Where(r => r.Resources.Contains("configmaps"))) rule.Verbs = [.. rule.Verbs.Where(v => v != "create")];
        await cluster.Client.RbacAuthorizationV1.ReplaceClusterRoleAsync(role, role.Metadata.Name, cancellationToken: _ct);
        try
        {
            await Commands.CreateAsync(cluster.Client, Ops, "needs-a-grant", Commands.OnNodes("node.info"));

            var waiting = await Commands.StatusAsync(cluster.Client, Ops, "needs-a-grant",
                s => s.Conditions?.Any(c => c.Type == ConditionTypes.PermissionDenied && c.Status == "True") == true, "the PermissionDenied condition");
            var denied = Commands.Condition(waiting, ConditionTypes.PermissionDenied)!;
            Assert.Equal("Forbidden", denied.Reason);
            Assert.Contains($"configmaps is forbidden: User \"system:serviceaccount:{Ops}:{DemoCluster.OperatorDeployment}\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"{Ops}\"", denied.Message);
            // Its target ran (the plan is an annotation, no ConfigMap needed to start); it cannot store the output and finish.
            Assert.Null(waiting.Status!.CompletionTime);
            // The Event is written after the condition: wait for it, then make sure it stays one while the refusals go on.
            await Eventually.True(async () => (await cluster.Client.CoreV1.ListNamespacedEventAsync(Ops, fieldSelector: "involvedObject.name=needs-a-grant,reason=PermissionDenied", cancellationToken: _ct)).Items.Count > 0, "the PermissionDenied Event");
            await Task.Delay(TimeSpan.FromSeconds(12), _ct);
            var events = await cluster.Client.CoreV1.ListNamespacedEventAsync(Ops, fieldSelector: "involvedObject.name=needs-a-grant,reason=PermissionDenied", cancellationToken: _ct);
            Assert.Single(events.Items);
        }
        finally
        {
            var current = await cluster.Client.RbacAuthorizationV1.ReadClusterRoleAsync(DemoCluster.OperatorDeployment, cancellationToken: _ct);
            for (var i = 0; i < current.Rules.Count; i++) current.Rules[i].Verbs = original[i];
            await cluster.Client.RbacAuthorizationV1.ReplaceClusterRoleAsync(current, current.Metadata.Name, cancellationToken: _ct);
        }

        var done = await Commands.FinishedAsync(cluster.Client, Ops, "needs-a-grant");
        Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
        Assert.Null(Commands.Condition(done, ConditionTypes.PermissionDenied));
        // Refused, not broken: the operator never restarted over it.
        var after = await cluster.Client.CoreV1.ReadNamespacedPodAsync(operatorPod.Metadata.Name, Ops, cancellationToken: _ct);
        Assert.Equal(restarts, after.Status.ContainerStatuses.Single().RestartCount);
    }
}
