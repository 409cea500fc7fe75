using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.Agent.V1;
using Ops.Operator.Agents;
using Ops.TestSupport;

namespace Ops.Bench;

/// <summary>
/// Measures, in one run on this machine: the agent's idle memory, the time to capture managed stacks
/// through the agent, and a 5 s cpu-sampling trace through the agent against the official dotnet-trace
/// tool on the same process. Prints a Markdown table for the README. With "rollout", measures an
/// AgentVersion rollout instead (200 nodes of real agents, or 5,000 simulated ones with --simulated: <see cref="RolloutBench"/>);
/// with "watches", what DiagnosticTrigger counter watches cost the agent and the watched apps (<see cref="WatchesBench"/>); with "dumps",
/// what analysing mini, heap and full dumps on the node costs (<see cref="DumpAnalysisBench"/>).
/// </summary>
internal static class Program
{
    /// <summary>Every NAME=VALUE following <paramref name="option"/> (given once per pair): --operator-env Operator__X=1, --set admissionWebhooks.enabled=false.</summary>
    private static Dictionary<string, string> Pairs(string[] args, string option) =>
        args.Select((a, i) => (a, i)).Where(p => p.a == option && p.i + 1 < args.Length).Select(p => args[p.i + 1].Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);

    public static async Task<int> Main(string[] args)
    {
        if (args is ["scale", .. var scale])
        {
            string? Value(string name) => scale.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            return await ScaleBench.RunAsync(new ScaleBench.Options(
                int.Parse(Value("--nodes") ?? "5000", CultureInfo.InvariantCulture),
                [.. (Value("--targets") ?? "1000,5000").Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture))],
                int.Parse(Value("--commands") ?? "10000", CultureInfo.InvariantCulture),
                TimeSpan.FromMilliseconds(int.Parse(Value("--latency-ms") ?? "5", CultureInfo.InvariantCulture)),
                Pairs(scale, "--operator-env"),
                Value("--profile"),
                Pairs(scale, "--set")));
        }
        if (args is ["dumps", .. var dumps])
        {
            string? Value(string name) => dumps.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            return await DumpAnalysisBench.RunAsync(int.Parse(Value("--heap-mb") ?? "100", CultureInfo.InvariantCulture), int.Parse(Value("--runs") ?? "3", CultureInfo.InvariantCulture));
        }
        if (args is ["watches", .. var watches])
        {
            string? Value(string name) => watches.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            return await WatchesBench.RunAsync(new WatchesBench.Options(int.Parse(Value("--apps") ?? "10", CultureInfo.InvariantCulture),
                TimeSpan.FromSeconds(int.Parse(Value("--seconds") ?? "60", CultureInfo.InvariantCulture))));
        }
        if (args is ["rollout", .. var rest])
        {
            string? Value(string name) => rest.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            var simulated = rest.Contains("--simulated");
            return await RolloutBench.RunAsync(new RolloutBench.Options(int.Parse(Value("--nodes") ?? (simulated ? "5000" : "200"), CultureInfo.InvariantCulture),
                Value("--max-unavailable") ?? "10%", simulated));
        }
        var iterations = args.SkipWhile(a => a != "--iterations").Skip(1).FirstOrDefault() is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 10;
        // --agent-dir DIR: the agent as published there (for example ReadyToRun: images/build.sh), instead of the build beside the bench.
        var agentDirectory = args.SkipWhile(a => a != "--agent-dir").Skip(1).FirstOrDefault();
        var dotnetTrace = await DotnetTraceTool.EnsureAsync();
        using var pki = TestPki.Create("ops-bench-ca");
        await using var app = await SampleAppProcess.StartAsync();
        var starting = Stopwatch.StartNew();
        await using var agent = await AgentProcess.StartAsync(pki, "bench-node", agentDirectory: agentDirectory);
        var startup = starting.Elapsed;
        using var channels = new AgentChannels(pki.OperatorCertificate, pki.Ca.Certificate, NullLoggerFactory.Instance);
        var client = channels.For(agent.Address);
        var target = new Target { Pod = "checkout", Container = "api", ContainerId = $"sandbox://{app.Pid}" };

        // Sampled after 30 s: the first seconds after a start are its own (tiered compilation of what start-up ran).
        Console.Error.WriteLine("idle: a minute of the agent idle, after 30 s settling ...");
        await Task.Delay(TimeSpan.FromSeconds(30));
        var (idleRss, idleMillicores) = await IdleAsync(agent.Pid, TimeSpan.FromMinutes(1));
        var idleKinds = ProcessStats.ResidentBreakdown(agent.Pid);

        Console.Error.WriteLine($"stacks: {iterations} captures through the agent ...");
        await RunAsync(client, target, "dotnet.stacks", "warm-up", []);
        var stacks = new List<double>();
        for (var i = 0; i < iterations; i++) stacks.Add((await RunAsync(client, target, "dotnet.stacks", $"stacks-{i}", [])).Seconds);

        var traceRuns = Math.Max(1, iterations / 3);
        Console.Error.WriteLine($"trace: {traceRuns} x 5 s cpu-sampling through the agent, then with dotnet-trace ...");
        var agentTrace = new List<(double Seconds, long Bytes)>();
        for (var i = 0; i < traceRuns; i++) agentTrace.Add(await RunAsync(client, target, "dotnet.trace", $"trace-{i}", [("duration", "5s"), ("profile", "cpu-sampling")]));
        var toolTrace = new List<(double Seconds, long Bytes)>();
        for (var i = 0; i < traceRuns; i++) toolTrace.Add(await dotnetTrace.CollectAsync(app.Pid, TimeSpan.FromSeconds(5)));
        var afterRss = ProcessStats.ResidentBytes(agent.Pid);
        var afterKinds = ProcessStats.ResidentBreakdown(agent.Pid);
        Console.Error.WriteLine("idle: a minute of the agent idle after the runs ...");
        var (settledRss, _) = await IdleAsync(agent.Pid, TimeSpan.FromMinutes(1));

        Console.WriteLine($"Measured {TimeProvider.System.GetUtcNow():yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}, {iterations} stack captures, {traceRuns} traces each:");
        Console.WriteLine();
        Console.WriteLine("| measurement | median | min | max |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine(Row("managed stacks through the agent (s)", stacks));
        Console.WriteLine(Row("5 s cpu trace through the agent (s)", [.. agentTrace.Select(t => t.Seconds)]));
        Console.WriteLine(Row("5 s cpu trace with dotnet-trace collect (s)", [.. toolTrace.Select(t => t.Seconds)]));
        Console.WriteLine(Row("trace size, agent (KiB)", [.. agentTrace.Select(t => t.Bytes / 1024.0)]));
        Console.WriteLine(Row("trace size, dotnet-trace (KiB)", [.. toolTrace.Select(t => t.Bytes / 1024.0)]));
        Console.WriteLine();
        BenchTarget[] goals =
        [
            new("agent start until it serves gRPC", startup.TotalSeconds, "s", 1),
            new("agent resident memory idle (30 s after start, then a minute)", idleRss / 1048576.0, "MiB", 40),
            new("agent CPU idle, over that minute", idleMillicores, "millicores", 1),
            new("agent resident memory right after the stacks and trace runs", afterRss / 1048576.0, "MiB", 100),
            new("agent resident memory a minute after the runs", settledRss / 1048576.0, "MiB", 60),
        ];
        Console.WriteLine(BenchTarget.Header);
        foreach (var goal in goals) Console.WriteLine(goal.Row);
        Console.WriteLine();
        Console.WriteLine("| agent resident memory by kind (MiB) | anonymous | file-backed | shared (JIT-compiled code) |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| idle | {idleKinds.Anonymous / 1048576.0:0.0} | {idleKinds.File / 1048576.0:0.0} | {idleKinds.Shared / 1048576.0:0.0} |");
        Console.WriteLine($"| right after the runs | {afterKinds.Anonymous / 1048576.0:0.0} | {afterKinds.File / 1048576.0:0.0} | {afterKinds.Shared / 1048576.0:0.0} |");
        return 0;
    }

    /// <summary>The process's resident memory at the end of an idle period, and its CPU over it in millicores.</summary>
    private static async Task<(long Resident, double Millicores)> IdleAsync(int pid, TimeSpan period)
    {
        var cpu = ProcessStats.CpuSeconds(pid);
        await Task.Delay(period);
        return (ProcessStats.ResidentBytes(pid), (ProcessStats.CpuSeconds(pid) - cpu) / period.TotalSeconds * 1000);
    }

    private static async Task<(double Seconds, long Bytes)> RunAsync(Ops.Agent.V1.Agent.AgentClient client, Target target, string action, string key, (string, string)[] parameters)
    {
        var request = new ExecuteRequest { CommandUid = $"bench-{Guid.NewGuid():n}", TargetKey = key, Action = action, TimeoutSeconds = 120, Target = target };
        foreach (var (name, value) in parameters) request.Parameters[name] = value;
        var watch = Stopwatch.StartNew();
        using var call = client.Execute(request);
        var result = await call.ResponseStream.ResultAsync();
        watch.Stop();
        if (result is not { Phase: ExecutionPhase.Succeeded }) throw new InvalidOperationException($"{action} failed: {result?.Message}");
        return (watch.Elapsed.TotalSeconds, result.Artifacts.Sum(a => a.SizeBytes));
    }
    private static string Row(string name, IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        return $"| {name} | {sorted[sorted.Count / 2]:0.000} | {sorted[0]:0.000} | {sorted[^1]:0.000} |";
    }
}
