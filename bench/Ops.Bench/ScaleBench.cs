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
    public sealed record Options(int Nodes, IReadOnlyList<int> Targets, int Commands, TimeSpan Latency, IReadOnlyDictionary<string, string> OperatorSettings);

    private sealed record FanOut(string Name, int Targets, TimeSpan Final, double P50, double P99, long Writes, long StatusWrites, double Cpu, long PeakBytes, long Executions, string Phase, double GcHeapBytes);

    public static async Task<int> RunAsync(Options options)
    {
        var root = Ops.Sandbox.Hosting.RepositoryDirectory.Find("crds") ?? throw new InvalidOperationException("run the bench from the repository");
        await using var agents = await SimulatedAgents.StartAsync(new AgentSimulationOptions { Latency = options.Latency });
        Console.Error.WriteLine($"scale: starting a sandbox of {options.Nodes} nodes with a simulated agent each ...");
        var starting = Stopwatch.StartNew();
        await using var cluster = await DemoCluster.StartAsync(new DemoOptions
        {
            CrdsDirectory = Path.Combine(root, "crds"), Nodes = options.Nodes, Workload = false, ReadyTimeout = TimeSpan.FromMinutes(20), AgentImage = agents.Image, OperatorSettings = options.OperatorSettings,
        });
        var startup = starting.Elapsed;
        var pid = SandboxPods.Pid(await SandboxPods.OperatorAsync(cluster.Client, CancellationToken.None));
        Console.Error.WriteLine($"scale: {agents.Count} agents ready after {startup.TotalSeconds:0} s; operator pid {pid}, {ProcessStats.ResidentBytes(pid) / 1048576.0:0} MiB");
        // The operator learns the agents from its pod watch: let it settle before measuring.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var idleBytes = ProcessStats.ResidentBytes(pid);

        var fanOuts = new List<FanOut>();
        foreach (var targets in options.Targets)
        {
            foreach (var run in new[] { "first", "second" })
            {
                fanOuts.Add(await FanOutAsync(cluster, agents, pid, $"fanout-{targets}-{run}", targets));
                var last = fanOuts[^1];
                Console.Error.WriteLine($"scale: {last.Name}: {last.Phase} in {last.Final.TotalSeconds:0.00} s, p50 {last.P50:0} ms, p99 {last.P99:0} ms, {last.Writes} writes, peak {last.PeakBytes / 1048576.0:0} MiB, GC heap {last.GcHeapBytes / 1048576.0:0} MiB");
            }
        }
        var many = options.Commands > 0 ? await ManyCommandsAsync(cluster, agents, pid, options.Commands, options.Nodes) : default;

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
        var ok = fanOuts.All(f => f.Phase == CommandPhase.Succeeded && f.Executions == f.Targets) && (options.Commands == 0 || many.Finished == options.Commands);
        if (!ok) Console.Error.WriteLine("scale: some command did not succeed on every target exactly once; see above");
        return ok ? 0 : 1;
    }

    private static async Task<FanOut> FanOutAsync(DemoCluster cluster, SimulatedAgents agents, int pid, string name, int targets)
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
        // The operator's last writes (result shards, the finalizer) may follow the status; let them land before counting.
        await Task.Delay(TimeSpan.FromSeconds(2));
        // Each listed result must come from its own node's agent (the simulated output names the node that answered).
        var misrouted = current.Status!.Results?.Count(r => r.Summary?.Contains($"on {r.Target.Node} (simulated)", StringComparison.Ordinal) != true) ?? 0;
        if (misrouted > 0) throw new InvalidOperationException($"{name}: {misrouted} listed results were answered by another node's agent");
        var latencies = agents.Stats.FinishedOf(stored.Metadata.Uid).Select(t => (t - created).TotalMilliseconds).ToList();
        return new FanOut(name, targets, final, ProcessStats.Percentile(latencies, 50), ProcessStats.Percentile(latencies, 99), Writes(cluster) - writesBefore,
            StatusWrites(cluster) - statusBefore, ProcessStats.CpuSeconds(pid) - cpuBefore, ProcessStats.PeakResidentBytes(pid), agents.Stats.Executions - executionsBefore, current.Status!.Phase!,
            Metric(await SandboxPods.OperatorMetricsAsync(cluster, CancellationToken.None), "dotnet_total_memory_bytes"));
    }

    private readonly record struct Many(TimeSpan Created, TimeSpan Final, long Finished, double Reconciles, long Writes, long PeakBytes, double Cpu);

    private static async Task<Many> ManyCommandsAsync(DemoCluster cluster, SimulatedAgents agents, int pid, int count, int nodes)
    {
        Console.Error.WriteLine($"scale: creating {count} one-target commands ...");
        var writesBefore = Writes(cluster);
        var before = await SandboxPods.OperatorMetricsAsync(cluster, CancellationToken.None);
        var reconcilesBefore = Metric(before, "ops_reconcile_total{kind=\"DiagnosticCommand\"");
        var finishedBefore = Metric(before, "ops_commands_total{");
        ProcessStats.ResetPeak(pid);
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
        while ((finished = Metric(await SandboxPods.OperatorMetricsAsync(cluster, CancellationToken.None), "ops_commands_total{") - finishedBefore) < count)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(20)) throw new TimeoutException($"only {finished} of {count} commands finished in 20 minutes");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
        var final = clock.Elapsed;
        var reconciles = Metric(await SandboxPods.OperatorMetricsAsync(cluster, CancellationToken.None), "ops_reconcile_total{kind=\"DiagnosticCommand\"") - reconcilesBefore;
        return new Many(created, final, (long)finished, reconciles, Writes(cluster) - writesBefore, ProcessStats.PeakResidentBytes(pid), ProcessStats.CpuSeconds(pid) - cpuBefore);
    }

    /// <summary>The sum of the samples whose line starts with <paramref name="prefix"/>.</summary>
    private static double Metric(string exposition, string prefix) =>
        exposition.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    private static long Writes(DemoCluster cluster) => cluster.Server.Accesses.CountOf(OperatorServiceCollectionExtensions.UserAgent, a => AccessLog.WriteVerbs.Contains(a.Verb));

    private static long StatusWrites(DemoCluster cluster) =>
        cluster.Server.Accesses.CountOf(OperatorServiceCollectionExtensions.UserAgent, a => AccessLog.WriteVerbs.Contains(a.Verb) && a.Resource == "diagnosticcommands/status");
}
