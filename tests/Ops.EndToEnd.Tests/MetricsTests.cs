using k8s;
using System.Text.RegularExpressions;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>
/// After a command, the operator's and the agents' /metrics count and time it, and Prometheus's own
/// checker accepts both. Alone with the cluster, so that the agent's count moves by exactly this command.
/// </summary>
[Collection(nameof(ClusterWideCollection))]
public sealed partial class MetricsTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private static double Value(string exposition, string series) => MetricsText.Value(exposition, series);

    [Fact]
    public async Task A_finished_command_is_counted_and_timed_by_the_operator_and_the_agents_and_promtool_accepts_both()
    {
        var ns = await cluster.CreateNamespaceAsync("metrics");
        var agentBefore = Value(await MetricsText.AgentAsync(cluster.Cluster, "node-1", _ct), """ops_agent_executions_total{action="check.tcp",result="failed"}""");

        await Commands.CreateAsync(cluster.Client, DemoCluster.OpsNamespace, $"metrics-{ns}", Commands.OnNodes("check.tcp", new() { ["host"] = "127.0.0.1", ["port"] = "1" }, names: ["node-1"]));
        var done = await Commands.FinishedAsync(cluster.Client, DemoCluster.OpsNamespace, $"metrics-{ns}");
        Assert.Equal(CommandPhase.Failed, done.Status!.Phase);

        var operatorMetrics = await Eventually.Get(async () => await SandboxPods.OperatorMetricsAsync(cluster.Cluster, _ct) is var m && Value(m, """ops_commands_total{action="check.tcp",phase="Failed"}""") >= 1 ? m : null, "the operator to count the command");
        Assert.True(Value(operatorMetrics, """ops_command_duration_seconds_count{action="check.tcp"}""") >= 1);
        Assert.True(Value(operatorMetrics, """ops_reconcile_total{kind="DiagnosticCommand",result="success"}""") >= 1);
        Assert.Equal(1, Value(operatorMetrics, "ops_leader"));
        Assert.Matches(AgentRpc(), operatorMetrics);
        var agentMetrics = await MetricsText.AgentAsync(cluster.Cluster, "node-1", _ct);
        Assert.Equal(agentBefore + 1, Value(agentMetrics, """ops_agent_executions_total{action="check.tcp",result="failed"}"""));
        Assert.True(Value(agentMetrics, """ops_agent_execution_duration_seconds_count{action="check.tcp"}""") >= 1);
        Assert.Contains("ops_agent_build_info{version=", agentMetrics);
        Assert.True(Value(agentMetrics, "process_open_handles") > 0 && Value(agentMetrics, "process_working_set_bytes") > 0, "the agent's process metrics");

        await Promtool.CheckMetricsAsync(operatorMetrics);
        await Promtool.CheckMetricsAsync(agentMetrics);
    }

    [GeneratedRegex("""ops_agent_rpc_duration_seconds_count\{method="Execute",code="OK"\} [1-9]""")]
    private static partial Regex AgentRpc();
}
