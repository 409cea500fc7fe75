using System.Diagnostics;
using System.Globalization;
using k8s;
using k8s.Models;
using Ops.AgentSimulation;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Hosting;
using Ops.Sandbox.Security;
using Ops.TestSupport;

namespace Ops.Bench;

/// <summary>
/// The operator at scale: a sandbox of thousands of nodes, each with a simulated agent (the load
/// simulator: the real gRPC contract and mTLS, in one process), and the real operator as a process.
/// Measures a node.info fan-out to each target count (twice: the first opens the connections), then
/// thousands of one-target commands at once: times, per-target latency, the operator's API writes,
/// its memory and CPU.
/// </summary>
internal static class ScaleBench
{
    public sealed record Options(int Nodes, IReadOnlyList<int> Targets, int Commands, TimeSpan Latency, IReadOnlyDictionary<string, string> OperatorSettings, string? ProfileDirectory = null, IReadOnlyDictionary<string, string>? ChartValues = null);

    private sealed record FanOut(string Name, int Targets, TimeSpan Final, double P50, double P99, long Writes, long StatusWrites, double Cpu, long PeakBytes, long Executions, string Phase, double GcHeapBytes);

    public static async Task<int> RunAsync(Options options)
    {
        var root = Ops.Sandbox.Hosting.RepositoryDirectory.Find("crds") ?? throw new InvalidOperationException("run the bench from the repository");
        var pid = 0;
        if (options.ProfileDirectory is not null) Directory.CreateDirectory(options.ProfileDirectory);
        // A CPU profile of the operator over each phase, when asked (--profile DIR): sampling costs the operator a little CPU, so profiled figures are not the reference ones.
        async Task<PerfProfile?> Profile(string name) => options.ProfileDirectory is null ? null : await PerfProfile.StartAsync(pid, Path.Combine(options.ProfileDirectory, $"{name}.perf.data"));
        var operatorSettings = options.ProfileDirectory is null ? options.OperatorSettings : options.OperatorSettings.Concat(PerfProfile.Environment).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        await using var agents = await SimulatedAgents.StartAsync(new AgentSimulationOptions { Latency = options.Latency });
        Console.Error.WriteLine($"scale: starting a sandbox of {options.Nodes} nodes with a simulated agent each ...");
        var starting = Stopwatch.StartNew();
        await using var cluster = await DemoCluster.StartAsync(new DemoOptions
        {
            CrdsDirectory = Path.Combine(root, "crds"), Nodes = options.Nodes, Workload = false, ReadyTimeout = TimeSpan.FromMinutes(20), AgentImage = agents.Image, OperatorSettings = operatorSettings,
            ChartValues = options.ChartValues ?? new Dictionary<string, string>(),
        });
        var startup = starting.Elapsed;
        pid = SandboxPods.Pid(await SandboxPods.OperatorAsync(cluster.Client, CancellationToken.None));
        Console.Error.WriteLine($"scale: {agents.Count} agents ready after {startup.TotalSeconds:0} s; operator pid {pid}, {ProcessStats.ResidentBytes(pid) / 1048576.0:0} MiB");
        // The operator learns the agents from its pod watch: let it settle before measuring.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var idleBytes = ProcessStats.ResidentBytes(pid);

        var fanOuts = new List<FanOut>();
        foreach (var targets in options.Targets)
        {
            foreach (var run in new[] { "first", "second" })
            {
                fanOuts.Add(await FanOutAsync(cluster, agents, pid, $"fanout-{targets}-{run}", targets, Profile));
                var last = fanOuts[^1];
                Console.Error.WriteLine($"scale: {last.Name}: {last.Phase} in {last.Final.TotalSeconds:0.00} s, p50 {last.P50:0} ms, p99 {last.P99:0} ms, {last.Writes} writes, peak {last.PeakBytes / 1048576.0:0} MiB, GC heap {last.GcHeapBytes / 1048576.0:0} MiB");
            }
        }
        var many = options.Commands > 0 ? await ManyCommandsAsync(cluster, pid, options.Commands, options.Nodes, Profile) : default;

        Console.WriteLine($"Measured {TimeProvider.System.GetUtcNow():yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}: {options.Nodes} nodes with a simulated agent each "
            + $"(action latency {options.Latency.TotalMilliseconds:0} ms), the operator a real process; the sandbox API server and the simulated agents share the machine with it.");
        Console.WriteLine();
        Console.WriteLine("| fan-out of node.info | status final | per-target p50 / p99 | operator API writes (status) | operator CPU | operator peak memory (GC heap after) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var f in fanOuts)
        {
            Console.WriteLine($"| {f.Targets:N0} targets, {(f.Name.EndsWith("first", StringComparison.Ordinal) ? "first (opens connections)" : "second")} | {f.Final.TotalSeconds:0.00} s | {f.P50:0} / {f.P99:0} ms | {f.Writes} ({f.StatusWrites}) | {f.Cpu:0.0} s | {f.PeakBytes / 1048576.0:0} MiB ({f.GcHeapBytes / 1048576.0:0} MiB) |");
        }
        Console.WriteLine();
        Console.WriteLine("| measurement | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| sandbox start, {options.Nodes:N0} agents ready | {startup.TotalSeconds:0} s |");
        Console.WriteLine($"| operator resident memory, {options.Nodes:N0} agents known, idle | {idleBytes / 1048576.0:0} MiB |");
        if (options.Commands > 0)
        {
            Console.WriteLine($"| {options.Commands:N0} one-target commands: created in | {many.Created.TotalSeconds:0.0} s |");
            Console.WriteLine($"| {options.Commands:N0} one-target commands: all final after | {many.Final.TotalSeconds:0.0} s ({options.Commands / many.Final.TotalSeconds:0} commands/s) |");
            Console.WriteLine($"| reconciles of DiagnosticCommands meanwhile | {many.Reconciles:N0} |");
            Console.WriteLine($"| operator API writes meanwhile | {many.Writes:N0} ({many.Writes / (double)options.Commands:0.0} per command) |");
            Console.WriteLine($"| operator peak memory, {options.Nodes:N0} agents and {options.Commands:N0} commands | {many.PeakBytes / 1048576.0:0} MiB |");
            Console.WriteLine($"| operator CPU for them | {many.Cpu:0.0} s |");
        }
        Console.WriteLine();
        Console.WriteLine(BenchTarget.Header);
        foreach (var target in Targets(options, fanOuts, idleBytes, many)) Console.WriteLine(target.Row);
        var ok = fanOuts.All(f => f.Phase == CommandPhase.Succeeded && f.Executions == f.Targets) && (options.Commands == 0 || many.Finished == options.Commands);
        if (!ok) Console.Error.WriteLine("scale: some command did not succeed on every target exactly once; see above");
        return ok ? 0 : 1;
    }

    /// <summary>The issue's targets for what this run measured (a fan-out size not run has no row).</summary>
    private static IEnumerable<BenchTarget> Targets(Options options, List<FanOut> fanOuts, long idleBytes, Many many)
    {
        FanOut? Of(int targets, string run) => fanOuts.FirstOrDefault(f => f.Targets == targets && f.Name.EndsWith(run, StringComparison.Ordinal));
        if (Of(1000, "first") is { } cold1000)
        {
            yield return new("1,000 targets, first (opens connections): status final", cold1000.Final.TotalSeconds, "s", 2);
            yield return new("operator CPU per target of that first fan-out", cold1000.Cpu * 1000 / cold1000.Targets, "ms", 0.5);
        }
        if (Of(5000, "first") is { } cold5000) yield return new("5,000 targets, first (opens most connections): status final", cold5000.Final.TotalSeconds, "s", 6);
        if (Of(5000, "second") is { } warm5000) yield return new("5,000 targets, connections open: status final", warm5000.Final.TotalSeconds, "s", 1.5);
        yield return new($"operator resident memory, {options.Nodes:N0} agents known, idle", idleBytes / 1048576.0, "MiB", 120);
        var peak = fanOuts.Select(f => f.PeakBytes).Append(many.PeakBytes).Max();
        yield return new("operator peak resident memory through the bench", peak / 1048576.0, "MiB", 300);
        if (options.Commands > 0)
        {
            yield return new($"{options.Commands:N0} one-target commands: rate until all final", options.Commands / many.Final.TotalSeconds, "commands/s", 500, AtLeast: true);
            yield return new("operator API writes per one-target command", many.Writes / (double)options.Commands, "writes", 5);
        }
    }

    private static async Task<FanOut> FanOutAsync(DemoCluster cluster, SimulatedAgents agents, int pid, string name, int targets, Func<string, Task<PerfProfile?>> profile)
    {
        var command = new V1Alpha1DiagnosticCommand
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = DemoCluster.OpsNamespace },
            Spec = new V1Alpha1DiagnosticCommand.CommandSpec
            {
                Action = "node.info",
                Target = new V1Alpha1DiagnosticCommand.TargetSpec { Nodes = new V1Alpha1DiagnosticCommand.NodeTarget(), Sample = new V1Alpha1DiagnosticCommand.SampleSpec { Mode = "fixed", Value = targets } },
            },
        };
        var writesBefore = Writes(cluster);
        var statusBefore = StatusWrites(cluster);
        var executionsBefore = agents.Stats.Executions;
        ProcessStats.ResetPeak(pid);
        var profiling = await profile(name);
        var cpuBefore = ProcessStats.CpuSeconds(pid);
        var created = TimeProvider.System.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var stored = await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync<V1Alpha1DiagnosticCommand>(command, ApiGroup.Name, ApiGroup.Version, DemoCluster.OpsNamespace, V1Alpha1DiagnosticCommand.Plural);
        V1Alpha1DiagnosticCommand current;
        while (true)
        {
            current = await cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync<V1Alpha1DiagnosticCommand>(ApiGroup.Name, ApiGroup.Version, DemoCluster.OpsNamespace, V1Alpha1DiagnosticCommand.Plural, name);
            if (current.Status?.CompletionTime is not null) break;
            if (clock.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException($"{name} did not finish in 5 minutes: {current.Status?.Phase}");
            await Task.Delay(TimeSpan.FromMilliseconds(25));
        }
        var final = clock.Elapsed;
        if (profiling is not null) Console.Error.WriteLine($"scale: {name}: profile in {await profiling.StopAsync()}");
        // The operator's last writes (result shards, the finalizer) may follow the status; let them land before counting.
        await Task.Delay(TimeSpan.FromSeconds(2));
        // Each listed result must come from its own node's agent (the simulated output names the node that answered).
        var misrouted = current.Status!.Results?.Count(r => r.Summary?.Contains($"on {r.Target.Node} (simulated)", StringComparison.Ordinal) != true) ?? 0;
        if (misrouted > 0) throw new InvalidOperationException($"{name}: {misrouted} listed results were answered by another node's agent");
        var latencies = agents.Stats.FinishedOf(stored.Metadata.Uid).Select(t => (t - created).TotalMilliseconds).ToList();
        return new FanOut(name, targets, final, ProcessStats.Percentile(latencies, 50), ProcessStats.Percentile(latencies, 99), Writes(cluster) - writesBefore,
            StatusWrites(cluster) - statusBefore, ProcessStats.CpuSeconds(pid) - cpuBefore, ProcessStats.PeakResidentBytes(pid), agents.Stats.Executions - executionsBefore, current.Status!.Phase!,
            Exposition.Sum(await SandboxPods.OperatorMetricsAsync(cluster, CancellationToken.None), "dotnet_total_memory_bytes"));
    }

    private readonly record struct Many(TimeSpan Created, TimeSpan Final, long Finished, double Reconciles, long Writes, long PeakBytes, double Cpu);

    private static async Task<Many> ManyCommandsAsync(DemoCluster cluster, int pid, int count, int nodes, Func<string, Task<PerfProfile?>> profile)
    {
        Console.Error.WriteLine($"scale: creating {count} one-target commands ...");
        var writesBefore = Writes(cluster);
        var before = await SandboxPods.OperatorMetricsAsync(cluster, CancellationToken.None);
        var reconcilesBefore = Exposition.Sum(before, "ops_reconcile_total{kind=\"DiagnosticCommand\"");
        var finishedBefore = Exposition.Sum(before, "ops_commands_total{");
        ProcessStats.ResetPeak(pid);
        var profiling = await profile("commands");
        var cpuBefore = ProcessStats.CpuSeconds(pid);
        var clock = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                var command = new V1Alpha1DiagnosticCommand
                {
                    Metadata = new V1ObjectMeta { Name = $"one-{i}", NamespaceProperty = DemoCluster.OpsNamespace },
                    Spec = new V1Alpha1DiagnosticCommand.CommandSpec
                    {
                        Action = "node.info",
                        Target = new V1Alpha1DiagnosticCommand.TargetSpec { Nodes = new V1Alpha1DiagnosticCommand.NodeTarget { Names = [$"node-{i % nodes + 1}"] } },
                    },
                };
                await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(command, ApiGroup.Name, ApiGroup.Version, DemoCluster.OpsNamespace, V1Alpha1DiagnosticCommand.Plural);
            }
        }));
        var created = clock.Elapsed;
        Console.Error.WriteLine($"scale: {count} commands created in {created.TotalSeconds:0.0} s; waiting for them to finish ...");
        double finished;
        while ((finished = Exposition.Sum(await SandboxPods.OperatorMetricsAsync(cluster, CancellationToken.None), "ops_commands_total{") - finishedBefore) < count)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(20)) throw new TimeoutException($"only {finished} of {count} commands finished in 20 minutes");
            // Once a second: each scrape costs the operator a walk of /proc/self/fd and /proc/self/task (prometheus-net's process_open_handles
            // and process_num_threads), thousands of entries with 5,000 agent connections open; scraped four times a second, that walk was a third of its CPU here.
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        var final = clock.Elapsed;
        if (profiling is not null) Console.Error.WriteLine($"scale: commands: profile in {await profiling.StopAsync()}");
        var reconciles = Exposition.Sum(await SandboxPods.OperatorMetricsAsync(cluster, CancellationToken.None), "ops_reconcile_total{kind=\"DiagnosticCommand\"") - reconcilesBefore;
        return new Many(created, final, (long)finished, reconciles, Writes(cluster) - writesBefore, ProcessStats.PeakResidentBytes(pid), ProcessStats.CpuSeconds(pid) - cpuBefore);
    }

    /// <summary>The operator's writes but its leader lease's renewals (every few seconds whatever it does).</summary>
    private static long Writes(DemoCluster cluster) =>
        cluster.Server.Accesses.CountOf(OperatorServiceCollectionExtensions.UserAgent, a => AccessLog.WriteVerbs.Contains(a.Verb) && a.Resource != "leases");

    private static long StatusWrites(DemoCluster cluster) =>
        cluster.Server.Accesses.CountOf(OperatorServiceCollectionExtensions.UserAgent, a => AccessLog.WriteVerbs.Contains(a.Verb) && a.Resource == "diagnosticcommands/status");
}
