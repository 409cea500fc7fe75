using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.Agent.V1;
using Ops.Operator.Agents;
using Ops.TestSupport;

namespace Ops.Bench;

/// <summary>
/// What DiagnosticTrigger counter watches cost: N sample apps and a real agent process, first with no watch, then a
/// cpu-usage watch on each app at interval 5 s, then 1 s, synced every 5 s as the operator's leader does. Per phase:
/// the agent's resident memory and CPU, and the apps' CPU; the differences from the phase without watches are the cost
/// per watched process, on the agent and in the watched app.
/// </summary>
internal static class WatchesBench
{
    public sealed record Options(int Apps, TimeSpan Phase);

    private sealed record PhaseResult(string Name, double AgentMiB, double AgentMillicores, double AppMillicores, int Sessions);

    public static async Task<int> RunAsync(Options options)
    {
        using var pki = TestPki.Create("ops-bench-ca");
        var apps = new List<SampleAppProcess>();
        try
        {
            for (var i = 0; i < options.Apps; i++) apps.Add(await SampleAppProcess.StartAsync());
            await using var agent = await AgentProcess.StartAsync(pki, "bench-node");
            using var channels = new AgentChannels(pki.OperatorCertificate, pki.Ca.Certificate, NullLoggerFactory.Instance);
            var client = channels.For(agent.Address);
            Console.Error.WriteLine($"watches: {options.Apps} sample apps and an agent; 30 s settling, then three phases of {options.Phase.TotalSeconds:0} s ...");
            await Task.Delay(TimeSpan.FromSeconds(30));

            var results = new List<PhaseResult>
            {
                await PhaseAsync("no watch", agent.Pid, apps, client, null, options.Phase),
                await PhaseAsync("a watch per app, interval 5 s", agent.Pid, apps, client, 5, options.Phase),
                await PhaseAsync("a watch per app, interval 1 s", agent.Pid, apps, client, 1, options.Phase),
            };

            var baseline = results[0];
            Console.WriteLine($"Measured {TimeProvider.System.GetUtcNow():yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}: {options.Apps} sample apps, {options.Phase.TotalSeconds:0} s per phase, synced every 5 s:");
            Console.WriteLine();
            Console.WriteLine("| phase | counter sessions | agent resident memory | agent CPU | apps' CPU, each | per watched process: agent memory / agent CPU / app CPU |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var r in results)
            {
                var per = r == baseline ? "" : string.Create(CultureInfo.InvariantCulture,
                    $"{(r.AgentMiB - baseline.AgentMiB) / options.Apps:0.00} MiB / {(r.AgentMillicores - baseline.AgentMillicores) / options.Apps:0.00} mc / {r.AppMillicores - baseline.AppMillicores:0.00} mc");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Name} | {r.Sessions} | {r.AgentMiB:0.0} MiB | {r.AgentMillicores:0.0} millicores | {r.AppMillicores:0.0} millicores | {per} |"));
            }
            return 0;
        }
        finally
        {
            foreach (var app in apps) await app.DisposeAsync();
        }
    }

    private static async Task<PhaseResult> PhaseAsync(string name, int agentPid, List<SampleAppProcess> apps, Ops.Agent.V1.Agent.AgentClient client, int? interval, TimeSpan phase)
    {
        Console.Error.WriteLine($"watches: {name} ...");
        var request = new SyncWatchesRequest { LeaseSeconds = 30 };
        if (interval is { } seconds)
        {
            request.Watches.AddRange(apps.Select((app, i) => new CounterWatch
            {
                Id = $"bench-{i}",
                Target = new Target { Namespace = "bench", Pod = $"app-{i}", PodUid = $"uid-{i}", Container = "api", ContainerId = $"sandbox://{app.Pid}" },
                Counter = "cpu-usage", Above = true, Threshold = 1000, ForSeconds = 15, IntervalSeconds = seconds,
            }));
        }
        // The sessions start and the first values arrive before the measurement.
        var reply = await client.SyncWatchesAsync(request);
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            reply = await client.SyncWatchesAsync(request);
        }
        var problems = reply.States.Where(s => !s.HasValue || s.Problem.Length > 0).Select(s => $"{s.Id}: {s.Problem}").ToList();
        if (problems.Count > 0) throw new InvalidOperationException($"watches without a value: {string.Join("; ", problems)}");

        var agentCpu = ProcessStats.CpuSeconds(agentPid);
        var appCpu = apps.Select(a => ProcessStats.CpuSeconds(a.Pid)).ToList();
        for (var elapsed = TimeSpan.Zero; elapsed < phase; elapsed += TimeSpan.FromSeconds(5))
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            await client.SyncWatchesAsync(request);
        }
        var agentMillicores = (ProcessStats.CpuSeconds(agentPid) - agentCpu) / phase.TotalSeconds * 1000;
        var appMillicores = apps.Select((a, i) => ProcessStats.CpuSeconds(a.Pid) - appCpu[i]).Average() / phase.TotalSeconds * 1000;
        return new PhaseResult(name, ProcessStats.ResidentBytes(agentPid) / 1048576.0, agentMillicores, appMillicores, request.Watches.Count);
    }
}
