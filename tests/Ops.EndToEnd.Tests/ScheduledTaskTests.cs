using k8s;
using Ops.ControllerRuntime.Client;
using Ops.Demo;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.ScheduledTasks;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>A ScheduledTask applied with kubectl starts commands on schedule that finish with results.</summary>
public sealed class ScheduledTaskTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_task_applied_with_kubectl_creates_a_command_at_the_next_minute_that_finishes_with_results()
    {
        var kubectl = new Kubectl(cluster.KubeconfigPath);
        await kubectl.OkAsync($"apply -n {DemoCluster.OpsNamespace} -f -", """
            apiVersion: ops.dev/v1alpha1
            kind: ScheduledTask
            metadata:
              name: every-minute
            spec:
              schedule: "* * * * *"
              jitterSeconds: 2
              template:
                metadata:
                  labels: {purpose: e2e}
                spec:
                  action: node.info
                  target:
                    nodes: {names: [node-1, node-2, node-3]}
            """);

        var run = await Eventually.Get(async () =>
        {
            var list = await cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync<CustomResourceList<V1Alpha1DiagnosticCommand>>(ApiGroup.Name, ApiGroup.Version,
                DemoCluster.OpsNamespace, V1Alpha1DiagnosticCommand.Plural, labelSelector: $"{ScheduledTaskReconciler.TaskLabel}=every-minute", cancellationToken: _ct);
            return list.Items.FirstOrDefault(c => c.Status?.CompletionTime is not null);
        }, "a scheduled run to finish", Timeouts.ScheduledRun);

        Assert.Equal(CommandPhase.Succeeded, run.Status!.Phase);
        Assert.Equal(3, run.Status.Targets!.Succeeded);
        Assert.Equal("e2e", run.Metadata.Labels["purpose"]);
        var task = await Eventually.Get(async () =>
        {
            var t = await cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync<V1Alpha1ScheduledTask>(ApiGroup.Name, ApiGroup.Version, DemoCluster.OpsNamespace, "scheduledtasks", "every-minute", _ct);
            return t.Status?.LastSuccessfulTime is not null ? t : null;
        }, "the task to record the successful run");
        Assert.NotNull(task.Status!.LastScheduleTime);
        Assert.True(task.Status.NextScheduleTime > task.Status.LastScheduleTime);
        Assert.Contains("every-minute", await kubectl.OkAsync($"get stask -n {DemoCluster.OpsNamespace}"));
        await kubectl.OkAsync($"delete stask every-minute -n {DemoCluster.OpsNamespace}");
    }
}
