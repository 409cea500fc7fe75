using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.Agent.V1;
using Ops.Operator.Agents;
using Ops.TestSupport;

namespace Ops.Bench;

/// <summary>
/// What analysing a dump on the node costs (issue 25): the sample app holding about 100 MiB of heap (/chaos/alloc),
/// a mini, a heap and a full dump of it written by a real agent process, then each analysed the way the agent does it
/// (its executable's analyze-dump, a process of its own): wall time, and the analysing process's peak resident and
/// anonymous memory, sampled every 20 ms.
/// </summary>
internal static class DumpAnalysisBench
{
    public static async Task<int> RunAsync(int heapMiB, int runs)
    {
        using var pki = TestPki.Create("ops-bench-ca");
        await using var app = await SampleAppProcess.StartAsync();
        var (status, body) = await app.SendAsync(HttpMethod.Post, $"/chaos/alloc?mb={heapMiB}&seconds=3600", CancellationToken.None);
        if (status != HttpStatusCode.Accepted) throw new InvalidOperationException(body);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await using var agent = await AgentProcess.StartAsync(pki, "bench-node", settings: new Dictionary<string, string?> { ["Agent:Artifacts:BudgetBytes"] = (8L << 30).ToString(CultureInfo.InvariantCulture) });
        using var channels = new AgentChannels(pki.OperatorCertificate, pki.Ca.Certificate, NullLoggerFactory.Instance);
        var client = channels.For(agent.Address);
        Console.WriteLine($"Measured {TimeProvider.System.GetUtcNow():yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}: the sample app holding {heapMiB} MiB in OrderSnapshot objects, {runs} analyses of each dump:");
        Console.WriteLine();
        Console.WriteLine("| dump | size | analysis time (median, min–max) | peak resident | peak anonymous | largest type found |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var type in new[] { "mini", "heap", "full" })
        {
            Console.Error.WriteLine($"dumps: a {type} dump, then {runs} analyses ...");
            var request = new ExecuteRequest { CommandUid = $"bench-{Guid.NewGuid():n}", TargetKey = type, Action = "dotnet.dump", TimeoutSeconds = 600, Target = new Target { Pod = "checkout", Container = "api", ContainerId = $"sandbox://{app.Pid}" } };
            request.Parameters["type"] = type;
            request.Parameters["analyze"] = "false";
            using var call = client.Execute(request);
            var result = await call.ResponseStream.ResultAsync();
            if (result is not { Phase: ExecutionPhase.Succeeded }) throw new InvalidOperationException($"{type} dump: {result?.Message}");
            var dump = Path.Combine(agent.DataDirectory, "artifacts", result.Artifacts.Single().Name);
            var measured = new List<(double Seconds, long Resident, long Anonymous, string Top)>();
            for (var i = 0; i < runs; i++) measured.Add(await AnalyzeAsync(dump));
            var times = measured.Select(m => m.Seconds).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {type} | {new FileInfo(dump).Length / 1048576.0:0} MiB | {times[times.Count / 2]:0.00} s ({times[0]:0.00}–{times[^1]:0.00}) | {measured.Max(m => m.Resident) / 1048576.0:0} MiB | {measured.Max(m => m.Anonymous) / 1048576.0:0} MiB | {measured[0].Top} |"));
            File.Delete(dump);
        }
        return 0;
    }

    private static async Task<(double Seconds, long Resident, long Anonymous, string Top)> AnalyzeAsync(string dump)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Ops.Agent.dll"), "analyze-dump", dump, "--top", "15", "--frames", "12" }) start.ArgumentList.Add(arg);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        long resident = 0, anonymous = 0;
        while (!process.HasExited)
        {
            try
            {
                resident = Math.Max(resident, ProcessStats.PeakResidentBytes(process.Id));
                anonymous = Math.Max(anonymous, ProcessStats.ResidentBreakdown(process.Id).Anonymous);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or FormatException)
            {
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
        watch.Stop();
        var json = await output;
        if (process.ExitCode != 0) throw new InvalidOperationException($"analyze-dump exited {process.ExitCode}: {await errors}");
        using var analysis = System.Text.Json.JsonDocument.Parse(json);
        var top = analysis.RootElement.GetProperty("heap").GetProperty("topBySize").EnumerateArray().FirstOrDefault();
        var found = top.ValueKind == System.Text.Json.JsonValueKind.Object ? $"{top.GetProperty("type").GetString()} ({top.GetProperty("bytes").GetInt64() / 1048576.0:0} MiB)" : "none (no heap in the dump)";
        return (watch.Elapsed.TotalSeconds, resident, anonymous, found);
    }
}
