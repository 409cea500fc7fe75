using System.Diagnostics;
using k8s;
using Ops.AgentSimulation;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Hosting;
using Ops.Sandbox.Security;
using Ops.TestSupport;

namespace Ops.Bench;

/// <summary>
/// Rolls a new agent version over a sandbox cluster through four steps without pauses, and reports the
/// time from apply to Succeeded, each step's time, the most agents unavailable at once (counted at every
/// watch event of the agent pods), and what the rollout cost the operator: CPU, peak memory, reconciles
/// and API calls by kind. Real agents (one process per simulated node, a few hundred at most here) or,
/// with <c>--simulated</c>, the load simulator's agents (thousands, in the bench's process).
/// </summary>
internal static class RolloutBench
{
    public sealed record Options(int Nodes, string MaxUnavailable, bool Simulated);

    public static async Task<int> RunAsync(Options options)
    {
        var nodes = options.Nodes;
        var root = Ops.Sandbox.Hosting.RepositoryDirectory.Find("crds") ?? throw new InvalidOperationException("run the bench from the repository");
        await using var simulated = options.Simulated ? await SimulatedAgents.StartAsync(new AgentSimulationOptions()) : null;
        var agents = simulated is null ? "one real agent process each" : "a simulated agent each";
        Console.Error.WriteLine($"rollout: starting a sandbox of {nodes} nodes with {agents} ...");
        var starting = Stopwatch.StartNew();
        await using var cluster = await DemoCluster.StartAsync(new DemoOptions
        {
            CrdsDirectory = Path.Combine(root, "crds"), Nodes = nodes, Workload = false, ReadyTimeout = TimeSpan.FromMinutes(20), AgentImage = simulated?.Image,
        });
        var startup = starting.Elapsed;
        var pid = SandboxPods.Pid(await SandboxPods.OperatorAsync(cluster.Client, CancellationToken.None));
        await using var watch = await FleetWatch.StartAsync(cluster.Client, [.. Enumerable.Range(1, nodes).Select(i => $"node-{i}")]);
        var version = new V1Alpha1AgentVersion
        {
            Metadata = new() { Name = "bench-1-1-0" },
            Spec = new()
            {
                Version = "1.1.0",
                Image = "ghcr.io/example/ops-agent:1.1.0",
                Strategy = new()
                {
                    MaxUnavailable = options.MaxUnavailable,
                    Canary = new() { Steps = [new() { Nodes = 1 }, new() { Percent = 10 }, new() { Percent = 50 }, new() { Percent = 100 }] },
                    HealthGate = new() { MinReadySeconds = 0, SelfTest = true, ReadyTimeoutSeconds = 600 },
                },
            },
        };
        // The operator learns the agents from its pod watch: let it settle before measuring.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var idleBytes = ProcessStats.ResidentBytes(pid);
        Console.Error.WriteLine($"rollout: {nodes} agents ready after {startup.TotalSeconds:0} s, operator {idleBytes / 1048576.0:0} MiB; rolling 1.1.0 in 4 steps, maxUnavailable {options.MaxUnavailable} ...");
        var callsBefore = Calls(cluster);
        var metricsBefore = await SandboxPods.OperatorMetricsAsync(cluster, CancellationToken.None);
        var reconcilesBefore = Exposition.Sum(metricsBefore, "ops_reconcile_total{kind=\"AgentVersion\"");
        var reconcilingBefore = Exposition.Sum(metricsBefore, "ops_reconcile_duration_seconds_sum{kind=\"AgentVersion\"");
        ProcessStats.ResetPeak(pid);
        var cpuBefore = ProcessStats.CpuSeconds(pid);
        var rolling = Stopwatch.StartNew();
        await cluster.Client.CustomObjects.CreateClusterCustomObjectAsync(version, ApiGroup.Name, ApiGroup.Version, V1Alpha1AgentVersion.Plural);
        V1Alpha1AgentVersion current;
        var step = -1;
        while (true)
        {
            current = await cluster.Client.CustomObjects.GetClusterCustomObjectAsync<V1Alpha1AgentVersion>(ApiGroup.Name, ApiGroup.Version, V1Alpha1AgentVersion.Plural, version.Metadata.Name);
            if (current.Status?.Phase is RolloutPhase.Succeeded or RolloutPhase.Failed or RolloutPhase.RolledBack) break;
            if (current.Status?.CurrentStep is { } now && now != step)
            {
                step = now;
                Console.Error.WriteLine($"rollout: step {step} after {rolling.Elapsed.TotalSeconds:0} s, {current.Status.UpdatedNodes}/{current.Status.TotalNodes} updated, operator {ProcessStats.ResidentBytes(pid) / 1048576.0:0} MiB");
            }
            if (rolling.Elapsed > TimeSpan.FromMinutes(30)) throw new TimeoutException($"the rollout did not finish in 30 minutes: {current.Status?.Phase} at step {current.Status?.CurrentStep}, {current.Status?.UpdatedNodes} updated");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
        var elapsed = rolling.Elapsed;
        var cpu = ProcessStats.CpuSeconds(pid) - cpuBefore;
        var peak = ProcessStats.PeakResidentBytes(pid);
        var metricsAfter = await SandboxPods.OperatorMetricsAsync(cluster, CancellationToken.None);
        var reconciles = Exposition.Sum(metricsAfter, "ops_reconcile_total{kind=\"AgentVersion\"") - reconcilesBefore;
        var reconciling = Exposition.Sum(metricsAfter, "ops_reconcile_duration_seconds_sum{kind=\"AgentVersion\"") - reconcilingBefore;
        var calls = Calls(cluster).Select(c => (c.Key, Count: c.Value - callsBefore.GetValueOrDefault(c.Key))).Where(c => c.Count > 0).OrderByDescending(c => c.Count).ToList();

        Console.WriteLine($"Measured {TimeProvider.System.GetUtcNow():yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}: {nodes} simulated nodes, {agents}; the sandbox API server shares the machine with the operator:");
        Console.WriteLine();
        Console.WriteLine("| measurement | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| rollout result | {current.Status!.Phase}, {current.Status.UpdatedNodes}/{current.Status.TotalNodes} nodes on 1.1.0 |");
        Console.WriteLine($"| steps (nodes 1, 10%, 50%, 100%), no pauses | {string.Join(" → ", current.Status.StepHistory!.Select(s => $"{s.Step}: {(s.CompletedAt - s.StartedAt)?.TotalSeconds:0} s"))} |");
        Console.WriteLine($"| time from apply to Succeeded | {elapsed.TotalSeconds:0.0} s |");
        Console.WriteLine($"| most agents unavailable at once (limit {options.MaxUnavailable}) | {watch.MaxUnavailable} |");
        Console.WriteLine($"| agent pod watch events counted | {watch.Events} |");
        Console.WriteLine($"| reconciles of the AgentVersion, time in them | {reconciles:N0}, {reconciling:0.0} s |");
        Console.WriteLine($"| operator CPU through the rollout | {cpu:0.0} s ({cpu * 1000 / nodes:0.0} ms per node) |");
        Console.WriteLine($"| operator resident memory before / peak through the rollout | {idleBytes / 1048576.0:0} / {peak / 1048576.0:0} MiB |");
        Console.WriteLine($"| operator API calls (but lease renewals) | {calls.Sum(c => c.Count):N0} ({calls.Sum(c => c.Count) / (double)nodes:0.00} per node): {string.Join(", ", calls.Select(c => $"{c.Key} {c.Count:N0}"))} |");
        Console.WriteLine($"| sandbox start with {nodes} agents ready | {startup.TotalSeconds:0} s |");
        return current.Status.Phase == RolloutPhase.Succeeded ? 0 : 1;
    }

    /// <summary>The operator's calls so far by verb and resource, its leader lease's renewals left out (every few seconds whatever it does).</summary>
    private static Dictionary<string, long> Calls(DemoCluster cluster) =>
        cluster.Server.Accesses.Of(OperatorServiceCollectionExtensions.UserAgent).Where(a => a.Resource != "leases")
            .GroupBy(a => $"{a.Verb} {a.Resource}", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(a => cluster.Server.Accesses.CountOf(OperatorServiceCollectionExtensions.UserAgent, x => x == a)), StringComparer.Ordinal);
}
