using System.Diagnostics;
using k8s;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.Bench;

/// <summary>
/// Rolls a new agent version over a sandbox cluster of real agents (one process per simulated node)
/// through four steps without pauses, and reports the time from apply to Succeeded and the most agents
/// unavailable at once, counted at every watch event of the agent pods.
/// </summary>
internal static class RolloutBench
{
    public static async Task<int> RunAsync(int nodes, string maxUnavailable)
    {
        var root = Ops.Sandbox.Hosting.RepositoryDirectory.Find("crds") ?? throw new InvalidOperationException("run the bench from the repository");
        Console.Error.WriteLine($"rollout: starting a sandbox of {nodes} nodes with an agent each ...");
        var starting = Stopwatch.StartNew();
        await using var cluster = await DemoCluster.StartAsync(new DemoOptions
        {
            CrdsDirectory = Path.Combine(root, "crds"), Nodes = nodes, Workload = false, ReadyTimeout = TimeSpan.FromMinutes(15),
        });
        var startup = starting.Elapsed;
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
                    MaxUnavailable = maxUnavailable,
                    Canary = new() { Steps = [new() { Nodes = 1 }, new() { Percent = 10 }, new() { Percent = 50 }, new() { Percent = 100 }] },
                    HealthGate = new() { MinReadySeconds = 0, SelfTest = true, ReadyTimeoutSeconds = 600 },
                },
            },
        };
        Console.Error.WriteLine($"rollout: {nodes} agents ready after {startup.TotalSeconds:0} s; rolling 1.1.0 in 4 steps, maxUnavailable {maxUnavailable} ...");
        var rolling = Stopwatch.StartNew();
        await cluster.Client.CustomObjects.CreateClusterCustomObjectAsync(version, ApiGroup.Name, ApiGroup.Version, V1Alpha1AgentVersion.Plural);
        V1Alpha1AgentVersion current;
        while (true)
        {
            current = await cluster.Client.CustomObjects.GetClusterCustomObjectAsync<V1Alpha1AgentVersion>(ApiGroup.Name, ApiGroup.Version, V1Alpha1AgentVersion.Plural, version.Metadata.Name);
            if (current.Status?.Phase is RolloutPhase.Succeeded or RolloutPhase.Failed or RolloutPhase.RolledBack) break;
            if (rolling.Elapsed > TimeSpan.FromMinutes(30)) throw new TimeoutException($"the rollout did not finish in 30 minutes: {current.Status?.Phase} at step {current.Status?.CurrentStep}");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
        var elapsed = rolling.Elapsed;
        Console.WriteLine($"Measured {TimeProvider.System.GetUtcNow():yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}: {nodes} simulated nodes, one real agent process each:");
        Console.WriteLine();
        Console.WriteLine("| measurement | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| rollout result | {current.Status!.Phase}, {current.Status.UpdatedNodes}/{current.Status.TotalNodes} nodes on 1.1.0 |");
        Console.WriteLine($"| steps (nodes 1, 10%, 50%, 100%), no pauses | {string.Join(" → ", current.Status.StepHistory!.Select(s => $"{s.Step}: {(s.CompletedAt - s.StartedAt)?.TotalSeconds:0} s"))} |");
        Console.WriteLine($"| time from apply to Succeeded | {elapsed.TotalSeconds:0.0} s |");
        Console.WriteLine($"| most agents unavailable at once (limit {maxUnavailable}) | {watch.MaxUnavailable} |");
        Console.WriteLine($"| agent pod watch events counted | {watch.Events} |");
        Console.WriteLine($"| sandbox start with {nodes} agents ready | {startup.TotalSeconds:0} s |");
        return current.Status.Phase == RolloutPhase.Succeeded ? 0 : 1;
    }
}
