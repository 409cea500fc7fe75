using System.Globalization;
using k8s;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.ScheduledTasks;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Soak;

/// <summary>
/// Minutes of steady work — a command after another (on nodes and on the checkout pods, succeeding and
/// failing; each deleted once finished) and two ScheduledTasks firing every minute — with the operator's
/// and an agent's open handles, threads and resident memory, and the API server's open watches, sampled
/// all along. After a warm-up these must stay flat: a leak of a connection, a watch, a file or a thread
/// per command shows within a hundred commands; a slow leak of a few bytes per command does not, and is
/// not what this test claims. <c>OPS_SOAK_MINUTES</c> sets the length (default 3).
/// </summary>
[Collection(nameof(ClusterWideCollection))]
public sealed class SoakTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(40);

    private static TimeSpan Length =>
        TimeSpan.FromMinutes(double.TryParse(Environment.GetEnvironmentVariable("OPS_SOAK_MINUTES"), CultureInfo.InvariantCulture, out var minutes) && minutes > 0 ? minutes : 3);

    private sealed record Sample(TimeSpan At, double OperatorHandles, double OperatorThreads, double OperatorRss, double OperatorHeap, double AgentHandles, double AgentThreads, double AgentRss,
        double AgentHeap, int Watches);

    [Fact]
    public async Task Commands_and_scheduled_tasks_for_minutes_leave_handles_threads_memory_and_watches_flat()
    {
        var kubectl = new Kubectl(cluster.KubeconfigPath);
        foreach (var (name, action, parameters) in new[] { ("soak-ok", "node.info", ""), ("soak-failing", "check.tcp", "parameters: {host: 127.0.0.1, port: \"1\"}") })
        {
            await kubectl.OkAsync($"apply -n {DemoCluster.OpsNamespace} -f -", $$"""
                apiVersion: ops.dev/v1alpha1
                kind: ScheduledTask
                metadata: {name: {{name}}}
                spec:
                  schedule: "* * * * *"
                  successfulHistoryLimit: 1
                  failedHistoryLimit: 1
                  template:
                    spec:
                      action: {{action}}
                      {{parameters}}
                      target:
                        nodes:
                          names: [node-1, node-2, node-3]
                """);
        }
        var specs = new[]
        {
            Commands.OnNodes("processes"),
            Commands.OnNodes("check.tcp", new() { ["host"] = "127.0.0.1", ["port"] = "1" }),
            Commands.OnPods("dotnet.counters", new() { ["duration"] = "1s" }, "checkout"),
            Commands.OnPods("log.grep", new() { ["path"] = "/var/log/app/app.log", ["pattern"] = "GET" }, "checkout"),
        };

        var samples = new List<Sample>();
        var started = TimeProvider.System.GetTimestamp();
        var nextSample = TimeSpan.Zero;
        var commands = 0;
        var phases = new Dictionary<string, int>();
        while (TimeProvider.System.GetElapsedTime(started) is var elapsed && elapsed < Length)
        {
            if (elapsed >= nextSample)
            {
                samples.Add(await SampleAsync(elapsed));
                nextSample += SampleEvery;
            }
            var name = $"soak-{commands}";
            var spec = specs[commands % specs.Length];
            // Node targets are allowed only from the Ops namespace; pod targets come from the pods' own.
            var ns = spec.Target!.Nodes is null ? DemoCluster.ShopNamespace : DemoCluster.OpsNamespace;
            await Commands.CreateAsync(cluster.Client, ns, name, spec);
            var done = await Commands.FinishedAsync(cluster.Client, ns, name);
            phases[$"{done.Spec.Action} {done.Status!.Phase}"] = phases.GetValueOrDefault($"{done.Spec.Action} {done.Status!.Phase}") + 1;
            await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, ns, V1Alpha1DiagnosticCommand.Plural, name, cancellationToken: _ct);
            commands++;
        }
        samples.Add(await SampleAsync(TimeProvider.System.GetElapsedTime(started)));
        var scheduled = await ScheduledRunsAsync();
        foreach (var name in new[] { "soak-ok", "soak-failing" }) await kubectl.OkAsync($"delete stask {name} -n {DemoCluster.OpsNamespace}");

        var report = $"{commands} commands in {Length.TotalMinutes} min ({string.Join(", ", phases.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))}); scheduled runs kept: {scheduled}\n" +
            string.Join("\n", samples.Select(s => $"{s.At:mm\\:ss} operator fds {s.OperatorHandles} threads {s.OperatorThreads} rss {s.OperatorRss / (1 << 20):F0} MiB heap {s.OperatorHeap / (1 << 20):F0} MiB | agent fds {s.AgentHandles} threads {s.AgentThreads} rss {s.AgentRss / (1 << 20):F0} MiB heap {s.AgentHeap / (1 << 20):F0} MiB | watches {s.Watches}"));
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        var baseline = samples.Where(s => s.At >= WarmUp).Take(3).ToList();
        var end = samples.TakeLast(3).ToList();
        Assert.True(baseline.Count == 3 && samples.Count >= baseline.Count + 6, $"too few samples after the warm-up:\n{report}");
        Assert.True(samples.All(s => s is { OperatorHandles: > 0, OperatorThreads: > 0, OperatorRss: > 0, AgentHandles: > 0, AgentThreads: > 0, AgentRss: > 0, Watches: > 0 }),
            $"a measure is missing:\n{report}");
        Assert.True(commands >= 30, $"the soak ran only {commands} commands:\n{report}");
        Assert.True(phases.Keys.All(k => k.StartsWith("check.tcp", StringComparison.Ordinal) ? k.EndsWith("Failed", StringComparison.Ordinal) : k.EndsWith("Succeeded", StringComparison.Ordinal)), report);
        // Kept runs are bounded by the history limits (one each, plus one that may be running).
        Assert.True(scheduled <= 4, $"{scheduled} scheduled runs kept, the limits allow 4:\n{report}");
        Flat(baseline, end, s => s.OperatorHandles, slack: 15, "the operator's open file descriptors", report);
        Flat(baseline, end, s => s.OperatorThreads, slack: 10, "the operator's threads", report);
        Flat(baseline, end, s => s.OperatorRss, slack: 64 << 20, "the operator's resident memory", report);
        Flat(baseline, end, s => s.AgentHandles, slack: 15, "the agent's open file descriptors", report);
        Flat(baseline, end, s => s.AgentThreads, slack: 10, "the agent's threads", report);
        Flat(baseline, end, s => s.AgentRss, slack: 64 << 20, "the agent's resident memory", report);
        Flat(baseline, end, s => s.Watches, slack: 2, "the API server's open watches", report);
    }

    /// <summary>The median at the end is at most the largest value just after the warm-up plus some slack.</summary>
    private static void Flat(List<Sample> baseline, List<Sample> end, Func<Sample, double> measure, double slack, string what, string report)
    {
        var before = baseline.Max(measure);
        var after = end.Select(measure).Order().ElementAt(end.Count / 2);
        Assert.True(after <= before + slack, $"{what} grew from {before} to {after} (allowed {before + slack}):\n{report}");
    }

    private async Task<Sample> SampleAsync(TimeSpan at)
    {
        var op = await SandboxPods.OperatorMetricsAsync(cluster.Cluster, _ct);
        var agent = await MetricsText.AgentAsync(cluster.Cluster, "node-1", _ct);
        return new Sample(at,
            MetricsText.Value(op, "process_open_handles"), MetricsText.Value(op, "process_num_threads"), MetricsText.Value(op, "process_working_set_bytes"), MetricsText.Value(op, "dotnet_total_memory_bytes"),
            MetricsText.Value(agent, "process_open_handles"), MetricsText.Value(agent, "process_num_threads"), MetricsText.Value(agent, "process_working_set_bytes"), MetricsText.Value(agent, "dotnet_total_memory_bytes"),
            cluster.Cluster.Server.OpenWatches);
    }

    private async Task<int> ScheduledRunsAsync()
    {
        var list = await cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync<Ops.Operator.Api.CustomResourceList<V1Alpha1DiagnosticCommand>>(ApiGroup.Name, ApiGroup.Version,
            DemoCluster.OpsNamespace, V1Alpha1DiagnosticCommand.Plural, labelSelector: $"{ScheduledTaskReconciler.TaskLabel} in (soak-ok,soak-failing)", cancellationToken: _ct);
        return list.Items.Count;
    }
}
