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
/// all along. After a warm-up (a quarter of the run, at least 40 s) these must stay flat, and enough
/// commands of every kind must have run in between that a descriptor or thread leaked per command of any
/// one kind exceeds the slack; a slow leak of a few bytes per command is not what a short run claims.
/// Runs of 30 minutes or more also hold resident memory to 5 % growth after the warm-up.
/// <c>OPS_SOAK_MINUTES</c> sets the length (default 3); the samples are printed, and with
/// <c>OPS_SOAK_REPORT</c> also written to that file.
/// </summary>
[Collection(nameof(ClusterWideCollection))]
public sealed class SoakTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(10);
    private static readonly string[] Tasks = ["soak-ok", "soak-failing"];
    private const double HandleSlack = 10, ThreadSlack = 8;

    private static TimeSpan Length =>
        TimeSpan.FromMinutes(double.TryParse(Environment.GetEnvironmentVariable("OPS_SOAK_MINUTES"), CultureInfo.InvariantCulture, out var minutes) && minutes > 0 ? minutes : 3);

    private static TimeSpan WarmUp => TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(40).Ticks, Length.Ticks / 4));

    private sealed record Sample(TimeSpan At, double OperatorHandles, double OperatorThreads, double OperatorRss, double OperatorHeap, double AgentHandles, double AgentThreads, double AgentRss,
        double AgentHeap, int Watches, int Commands, int KeptRuns, double WaitingKeys);

    [Fact]
    public async Task Commands_and_scheduled_tasks_for_minutes_leave_handles_threads_memory_and_watches_flat()
    {
        var kubectl = new Kubectl(cluster.KubeconfigPath);
        foreach (var (name, action, parameters) in new[] { (Tasks[0], "node.info", ""), (Tasks[1], "check.tcp", "parameters: {host: 127.0.0.1, port: \"1\"}") })
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
        var runs = new HashSet<string>(StringComparer.Ordinal);
        var started = TimeProvider.System.GetTimestamp();
        var nextSample = TimeSpan.Zero;
        var finished = new List<(TimeSpan At, string Action)>();
        var phases = new Dictionary<string, int>();
        while (TimeProvider.System.GetElapsedTime(started) is var elapsed && elapsed < Length && !_ct.IsCancellationRequested)
        {
            if (elapsed >= nextSample)
            {
                samples.Add(await SampleAsync(elapsed, finished.Count, runs));
                nextSample += SampleEvery;
            }
            var name = $"soak-{finished.Count}";
            var spec = specs[finished.Count % specs.Length];
            // Node targets are allowed only from the Ops namespace; pod targets come from the pods' own.
            var ns = spec.Target!.Nodes is null ? DemoCluster.ShopNamespace : DemoCluster.OpsNamespace;
            await Commands.CreateAsync(cluster.Client, ns, name, spec);
            _ct.ThrowIfCancellationRequested();
            var done = await Commands.FinishedAsync(cluster.Client, ns, name);
            phases[$"{done.Spec.Action} {done.Status!.Phase}"] = phases.GetValueOrDefault($"{done.Spec.Action} {done.Status!.Phase}") + 1;
            await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, ns, V1Alpha1DiagnosticCommand.Plural, name, cancellationToken: _ct);
            finished.Add((TimeProvider.System.GetElapsedTime(started), spec.Action));
        }
        samples.Add(await SampleAsync(TimeProvider.System.GetElapsedTime(started), finished.Count, runs));
        foreach (var name in Tasks) await kubectl.OkAsync($"delete stask {name} -n {DemoCluster.OpsNamespace}");

        var baseline = samples.Where(s => s.At >= WarmUp).Take(3).ToList();
        var end = samples.TakeLast(3).ToList();
        var between = finished.Where(f => baseline.Count > 0 && f.At > baseline[0].At && f.At <= end[^1].At).GroupBy(f => f.Action).ToDictionary(g => g.Key, g => g.Count());
        var report = Report(samples, finished.Count, phases, runs, between);
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        if (Environment.GetEnvironmentVariable("OPS_SOAK_REPORT") is { Length: > 0 } file) await File.WriteAllTextAsync(file, report, _ct);

        Assert.True(baseline.Count == 3 && samples.Count >= baseline.Count + 6, $"too few samples after the warm-up:\n{report}");
        Assert.True(samples.All(s => s is { OperatorHandles: > 0, OperatorThreads: > 0, OperatorRss: > 0, AgentHandles: > 0, AgentThreads: > 0, AgentRss: > 0, Watches: > 0 }),
            $"a measure is missing:\n{report}");
        // Enough of every kind between the baseline and the end that one handle or thread leaked per command of that kind outgrows the slack.
        Assert.True(specs.All(s => between.GetValueOrDefault(s.Action) >= 2 * HandleSlack), $"too few commands of some kind after the warm-up to show a leak:\n{report}");
        Assert.True(finished.Count / Length.TotalMinutes >= 8, $"fewer than 8 commands a minute:\n{report}");
        Assert.True(phases.Keys.All(k => k.StartsWith("check.tcp", StringComparison.Ordinal) ? k.EndsWith("Failed", StringComparison.Ordinal) : k.EndsWith("Succeeded", StringComparison.Ordinal)), report);
        // The tasks fired (each minute boundary crossed made one run of each), and their kept runs stayed within the history limits (one each, plus one running).
        var boundaries = (int)Math.Floor(Length.TotalMinutes) - 1;
        Assert.True(Tasks.All(t => runs.Count(r => r.StartsWith($"{t}-", StringComparison.Ordinal)) >= boundaries), $"the tasks fired too seldom (at least {boundaries} runs each expected):\n{report}");
        Assert.True(samples.All(s => s.KeptRuns <= 4), $"more scheduled runs kept than the limits allow (4):\n{report}");
        Flat(baseline, end, s => s.OperatorHandles, HandleSlack, "the operator's open file descriptors", report);
        Flat(baseline, end, s => s.OperatorThreads, ThreadSlack, "the operator's threads", report);
        Flat(baseline, end, s => s.OperatorRss, MemorySlack(baseline, s => s.OperatorRss), "the operator's resident memory", report);
        Flat(baseline, end, s => s.AgentHandles, HandleSlack, "the agent's open file descriptors", report);
        Flat(baseline, end, s => s.AgentThreads, ThreadSlack, "the agent's threads", report);
        Flat(baseline, end, s => s.AgentRss, MemorySlack(baseline, s => s.AgentRss), "the agent's resident memory", report);
        Flat(baseline, end, s => s.Watches, slack: 2, "the API server's open watches", report);
        // Every finished command waits for its TTL (a day): deleted, it must stop waiting, or each one holds a timer for a day.
        Flat(baseline, end, s => s.WaitingKeys, slack: 10, "the commands due back later in the operator's queue", report);
    }

    /// <summary>64 MiB on a short run (the GC's working set moves by tens of MiB); 5 % of the baseline on a run of 30 minutes or more.</summary>
    private static double MemorySlack(List<Sample> baseline, Func<Sample, double> measure) => Length >= TimeSpan.FromMinutes(30) ? baseline.Max(measure) * 0.05 : 64 << 20;

    /// <summary>The median at the end is at most the largest value just after the warm-up plus some slack.</summary>
    private static void Flat(List<Sample> baseline, List<Sample> end, Func<Sample, double> measure, double slack, string what, string report)
    {
        var before = baseline.Max(measure);
        var after = end.Select(measure).Order().ElementAt(end.Count / 2);
        Assert.True(after <= before + slack, $"{what} grew from {before} to {after} (allowed {before + slack}):\n{report}");
    }

    private static string Report(List<Sample> samples, int commands, Dictionary<string, int> phases, HashSet<string> runs, Dictionary<string, int> between) =>
        $"{commands} commands in {Length.TotalMinutes} min, warm-up {WarmUp:mm\\:ss} ({string.Join(", ", phases.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))}); "
        + $"after the warm-up: {string.Join(", ", between.OrderBy(b => b.Key).Select(b => $"{b.Key} {b.Value}"))}; scheduled runs seen: {string.Join(", ", runs.Order(StringComparer.Ordinal))}\n"
        + string.Join("\n", samples.Select(s => $"{s.At:hh\\:mm\\:ss} commands {s.Commands} | operator fds {s.OperatorHandles} threads {s.OperatorThreads} rss {s.OperatorRss / (1 << 20):F1} MiB heap {s.OperatorHeap / (1 << 20):F1} MiB "
            + $"| agent fds {s.AgentHandles} threads {s.AgentThreads} rss {s.AgentRss / (1 << 20):F1} MiB heap {s.AgentHeap / (1 << 20):F1} MiB | watches {s.Watches} | kept runs {s.KeptRuns} "
            + $"| commands due back later {s.WaitingKeys}"));

    private async Task<Sample> SampleAsync(TimeSpan at, int commands, HashSet<string> runs)
    {
        var op = await SandboxPods.OperatorMetricsAsync(cluster.Cluster, _ct);
        var agent = await MetricsText.AgentAsync(cluster.Cluster, "node-1", _ct);
        var kept = await ScheduledRunsAsync();
        runs.UnionWith(kept);
        return new Sample(at,
            MetricsText.Value(op, "process_open_handles"), MetricsText.Value(op, "process_num_threads"), MetricsText.Value(op, "process_working_set_bytes"), MetricsText.Value(op, "dotnet_total_memory_bytes"),
            MetricsText.Value(agent, "process_open_handles"), MetricsText.Value(agent, "process_num_threads"), MetricsText.Value(agent, "process_working_set_bytes"), MetricsText.Value(agent, "dotnet_total_memory_bytes"),
            cluster.Cluster.Server.OpenWatches, commands, kept.Count, MetricsText.Value(op, "ops_workqueue_waiting{kind=\"DiagnosticCommand\"}"));
    }

    /// <summary>The names of the tasks' runs kept right now.</summary>
    private async Task<List<string>> ScheduledRunsAsync()
    {
        var list = await cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync<Ops.ControllerRuntime.Client.CustomResourceList<V1Alpha1DiagnosticCommand>>(ApiGroup.Name, ApiGroup.Version,
            DemoCluster.OpsNamespace, V1Alpha1DiagnosticCommand.Plural, labelSelector: $"{ScheduledTaskReconciler.TaskLabel} in ({string.Join(",", Tasks)})", cancellationToken: _ct);
        return [.. list.Items.Select(c => c.Metadata.Name)];
    }
}
