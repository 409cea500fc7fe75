using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Ops.ControllerRuntime.Informers;
using Ops.TestSupport;

namespace Ops.Chart.Tests;

/// <summary>The chart's alert rules and dashboard against Prometheus's own tooling and the metrics the code really exports.</summary>
public sealed partial class PrometheusTests
{
    private static string Rules => Path.Combine(RepositoryPaths.Chart, "rules");

    [Fact]
    public async Task The_alert_rules_pass_promtool_check_rules()
    {
        var (code, output) = await Promtool.RunAsync(["check", "rules", "ops-alerts.yaml"], workingDirectory: Rules);
        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS: 4 rules found", output);
    }

    [Fact]
    public async Task The_alert_rules_pass_their_promtool_unit_tests()
    {
        var (code, output) = await Promtool.RunAsync(["test", "rules", "ops-alerts.test.yaml"], workingDirectory: Rules);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task Every_metric_the_dashboard_and_the_alerts_query_is_one_the_operator_or_the_agent_exports()
    {
        var exported = await ExportedMetricNamesAsync();
        var dashboard = File.ReadAllText(Path.Combine(RepositoryPaths.Chart, "dashboards", "ops.json"));
        var alerts = File.ReadAllText(Path.Combine(Rules, "ops-alerts.yaml"));
        var queried = MetricName().Matches(dashboard + alerts).Select(m => Regex.Replace(m.Value, "_(bucket|count|sum)$", "")).ToHashSet(StringComparer.Ordinal);

        Assert.True(queried.Count >= 12, $"only {queried.Count} metrics queried");
        Assert.Empty(queried.Except(exported));
    }

    /// <summary>Names from `# TYPE` lines of the real exporters, each metric given one series so that it is exported.</summary>
    private static async Task<HashSet<string>> ExportedMetricNamesAsync()
    {
        var operatorMetrics = new Ops.Operator.Metrics.OperatorMetrics();
        var registry = new Ops.Operator.Agents.AgentRegistry(7443);
        var rollout = new Ops.Operator.Controllers.AgentVersions.RolloutMetrics(operatorMetrics, registry);
        rollout.Record("v", 1, "Progressing");
        registry.Observe(new ResourceEvent<k8s.Models.V1Pod>(k8s.WatchEventType.Added, new k8s.Models.V1Pod
        {
            Metadata = new() { Name = "a", NamespaceProperty = "ops-system", Labels = new Dictionary<string, string> { ["ops.dev/agent-version"] = "1.0.0" } },
            Spec = new() { NodeName = "n" },
        }));
        operatorMetrics.Reconciles.WithLabels("k", "success").Inc();
        operatorMetrics.ReconcileDuration.WithLabels("k").Observe(1);
        operatorMetrics.WorkqueueDepth.WithLabels("k").Set(0);
        operatorMetrics.Commands.WithLabels("a", "Succeeded").Inc();
        operatorMetrics.CommandDuration.WithLabels("a").Observe(1);
        operatorMetrics.AgentRpcDuration.WithLabels("Execute", "OK").Observe(1);
        var data = Directory.CreateTempSubdirectory("ops-metrics-");
        var options = Options.Create(new Ops.Agent.Hosting.AgentOptions { DataDirectory = data.FullName, Version = "1.0.0" });
        var agentMetrics = new Ops.Agent.Metrics.AgentMetrics(options, new Ops.Agent.Artifacts.ArtifactStore(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Ops.Agent.Artifacts.ArtifactStore>.Instance));
        agentMetrics.Executions.WithLabels("a", "succeeded").Inc();
        agentMetrics.ExecutionDuration.WithLabels("a").Observe(1);
        agentMetrics.InFlight.WithLabels("a").Set(0);
        var text = new System.Text.StringBuilder();
        foreach (var export in new Func<Stream, Task>[] { s => operatorMetrics.ExportAsync(s, CancellationToken.None), s => agentMetrics.ExportAsync(s, CancellationToken.None) })
        {
            using var stream = new MemoryStream();
            await export(stream);
            text.Append(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        }
        data.Delete(recursive: true);
        return [.. TypeLine().Matches(text.ToString()).Select(m => m.Groups[1].Value)];
    }

    [GeneratedRegex(@"\bops_[a-z_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^# TYPE (\S+) ", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
