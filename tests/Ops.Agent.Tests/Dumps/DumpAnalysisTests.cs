using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Ops.Agent.Artifacts;
using Ops.Agent.V1;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Dumps;

/// <summary>
/// Dumps analysed on the node, in a process of the agent's own, against the sample app made to deadlock, fill its heap
/// and throw through /chaos: the findings lead the output (what a command's status keeps), the analysis is an artifact
/// beside the dump, and what is not a readable dump is a clear per-target error that leaves no analysing process behind.
/// </summary>
public sealed class DumpAnalysisTests : AgentAndSampleApp
{
    private Target AppTarget => new() { Pod = "checkout", Container = "api", ContainerId = $"sandbox://{App.Pid}" };

    private Task<ExecutionResult> RunAsync(string action, string key, params (string, string)[] parameters) =>
        Harness.ExecuteAsync(Agent, AgentHarness.Request(action, AppTarget, key: key, timeout: 180, parameters: parameters), Ct);

    private static JsonElement AnalysisOf(string output)
    {
        using var json = JsonDocument.Parse(output[output.LastIndexOf("{\"runtimeVersion\"", StringComparison.Ordinal)..]);
        return json.RootElement.Clone();
    }

    [Fact]
    public async Task A_deadlock_leads_the_analysis_naming_both_threads_methods_and_locks()
    {
        await ChaosAsync("/chaos/deadlock");
        await Task.Delay(TimeSpan.FromMilliseconds(500), Ct);

        var result = await RunAsync("dotnet.dump", "deadlock", ("type", "heap"));

        Assert.True(result.Phase == ExecutionPhase.Succeeded, result.Message);
        var output = result.Output.ToStringUtf8();
        var first = output.Split('\n')[0];
        Assert.StartsWith("DEADLOCK: thread ", first);
        Assert.Contains("Ops.SampleApp.Chaos.Deadlock.LockLedgerThenInventory", first);
        Assert.Contains("Ops.SampleApp.Chaos.Deadlock.LockInventoryThenLedger", first);
        Assert.Contains("holds Ops.SampleApp.Chaos.Ledger and waits for Ops.SampleApp.Chaos.Inventory", first);
        Assert.Contains("holds Ops.SampleApp.Chaos.Inventory and waits for Ops.SampleApp.Chaos.Ledger", first);
        Assert.Equal(2, AnalysisOf(output).GetProperty("deadlocks")[0].GetProperty("threads").GetArrayLength());
        Assert.Equal([".dmp", ".json"], result.Artifacts.Select(a => Path.GetExtension(a.Name)).Order());
    }

    [Fact]
    public async Task Memory_held_in_OrderSnapshot_objects_is_the_largest_type_and_exceptions_being_thrown_are_named()
    {
        await ChaosAsync("/chaos/alloc?mb=64&seconds=120");
        await ChaosAsync("/chaos/throw?count=1000000");
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);

        var result = await RunAsync("dotnet.dump", "alloc", ("type", "heap"));

        Assert.True(result.Phase == ExecutionPhase.Succeeded, result.Message);
        var output = result.Output.ToStringUtf8();
        Assert.True(output.Split('\n')[0].Contains("; largest type Ops.SampleApp.Chaos.OrderSnapshot: ", StringComparison.Ordinal), output[..Math.Min(output.Length, 3000)]);
        var analysis = AnalysisOf(output);
        Assert.True(analysis.GetProperty("heap").GetProperty("topBySize")[0].GetProperty("bytes").GetInt64() >= 64L << 20);
        var exception = analysis.GetProperty("exceptions").EnumerateArray().First(e => e.GetProperty("type").GetString() == "Ops.SampleApp.Chaos.PaymentDeclinedException");
        Assert.StartsWith("payment declined for order ", exception.GetProperty("sampleMessage").GetString());
        Assert.Contains("Ops.SampleApp.Chaos.PaymentDeclinedException on the heap, for example: payment declined for order ", output);
    }

    [Fact]
    public async Task A_stored_dump_is_analysed_again_by_name_only_for_its_own_pod()
    {
        var dumped = await RunAsync("dotnet.dump", "mini", ("type", "mini"), ("analyze", "false"));
        var dump = Assert.Single(dumped.Artifacts).Name;

        // Another command (its own uid) for the same pod and container: the target key is the pod's, as the operator makes it.
        var again = await Harness.ExecuteAsync(Agent, AgentHarness.Request("dotnet.analyze", AppTarget, uid: "uid-2", key: "mini", parameters: ("artifact", dump)), Ct);
        var otherPod = await Harness.ExecuteAsync(Agent, AgentHarness.Request("dotnet.analyze", new Target { Pod = "payments", Container = "api", ContainerId = $"sandbox://{App.Pid}" },
            uid: "uid-3", key: "pod/shop/payments/api", parameters: ("artifact", dump)), Ct);

        Assert.True(again.Phase == ExecutionPhase.Succeeded, again.Message);
        Assert.Contains($"analysis of {dump}: .NET {Environment.Version}", again.Output.ToStringUtf8());
        Assert.Equal(ExecutionPhase.Failed, otherPod.Phase);
        Assert.Equal($"artifact {dump} is not a dump of pod payments container api: a pod target analyses only its own dumps", otherPod.Message);
    }

    [Fact]
    public async Task A_truncated_dump_or_a_file_that_is_no_dump_is_a_clear_error_and_leaves_no_analysing_process()
    {
        var dumped = await RunAsync("dotnet.dump", "real", ("type", "mini"), ("analyze", "false"));
        var bytes = await File.ReadAllBytesAsync(Path.Combine(Agent.DataDirectory, "artifacts", Assert.Single(dumped.Artifacts).Name), Ct);
        var truncated = ArtifactStore.NameOf("uid-1", "truncated", "truncated.dmp");
        var text = ArtifactStore.NameOf("uid-1", "text", "text.dmp");
        await File.WriteAllBytesAsync(Path.Combine(Agent.DataDirectory, "artifacts", truncated), bytes[..(bytes.Length / 10)], Ct);
        await File.WriteAllTextAsync(Path.Combine(Agent.DataDirectory, "artifacts", text), "not a dump\n", Ct);

        var cut = await Harness.ExecuteAsync(Agent, AgentHarness.Request("dotnet.analyze", AppTarget, key: "truncated", parameters: ("artifact", truncated)), Ct);
        var notDump = await Harness.ExecuteAsync(Agent, AgentHarness.Request("dotnet.analyze", AppTarget, key: "text", parameters: ("artifact", text)), Ct);
        var still = await RunAsync("dotnet.processes", "alive");

        Assert.Equal(ExecutionPhase.Failed, cut.Phase);
        Assert.StartsWith($"{truncated} could not be read as a .NET dump: ", cut.Message);
        Assert.Equal(ExecutionPhase.Failed, notDump.Phase);
        Assert.StartsWith($"{text} could not be read as a .NET dump: ", notDump.Message);
        Assert.Equal(ExecutionPhase.Succeeded, still.Phase);
        Assert.DoesNotContain(Process.GetProcesses(), p => ProcFsCommandLine(p.Id).Contains("analyze-dump", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_analysis_over_its_memory_limit_is_stopped_with_the_setting_named_and_the_dump_is_kept()
    {
        var small = await Harness.StartAgentAsync(settings: new Dictionary<string, string?> { ["Agent:DumpAnalysis:MemoryLimitBytes"] = (8L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await ChaosAsync("/chaos/alloc?mb=64&seconds=120");

        var result = await Harness.ExecuteAsync(small, AgentHarness.Request("dotnet.dump", AppTarget, key: "small", timeout: 180, parameters: ("type", "heap")), Ct);

        Assert.True(result.Phase == ExecutionPhase.Succeeded, result.Message);
        var dump = Assert.Single(result.Artifacts);
        Assert.EndsWith(".dmp", dump.Name);
        Assert.Contains($"the dump was not analysed: the analysis of {dump.Name} needed more than 8 MiB (Agent:DumpAnalysis:MemoryLimitBytes) and was stopped", result.Output.ToStringUtf8());
    }

    [Fact]
    public async Task An_analysis_past_its_time_limit_is_stopped_with_the_setting_named_and_no_analysing_process_is_left()
    {
        var quick = await Harness.StartAgentAsync(settings: new Dictionary<string, string?> { ["Agent:DumpAnalysis:Timeout"] = "00:00:05" });
        // A FIFO with no writer: the analysing process blocks opening it, as a reader stuck on a damaged dump would.
        var stuck = ArtifactStore.NameOf("uid-1", "stuck", "stuck.dmp");
        Directory.CreateDirectory(Path.Combine(quick.DataDirectory, "artifacts"));
        Assert.Equal(0, Mkfifo(Path.Combine(quick.DataDirectory, "artifacts", stuck), 0b110_000_000));
        var started = Stopwatch.StartNew();

        var result = await Harness.ExecuteAsync(quick, AgentHarness.Request("dotnet.analyze", AppTarget, key: "stuck", timeout: 60, parameters: ("artifact", stuck)), Ct);

        Assert.Equal(ExecutionPhase.Failed, result.Phase);
        Assert.Equal($"the analysis of {stuck} did not finish within 5 s (Agent:DumpAnalysis:Timeout) and was stopped", result.Message);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
        await Eventually.True(() => Task.FromResult(!Process.GetProcesses().Any(p => ProcFsCommandLine(p.Id).Contains(stuck, StringComparison.Ordinal))), "the analysing process to be gone");
    }

    [Fact]
    public async Task Without_stacks_the_heap_is_still_read_as_the_second_try_after_a_reader_crash_reads_it()
    {
        await ChaosAsync("/chaos/alloc?mb=16&seconds=120");
        var dumped = await RunAsync("dotnet.dump", "no-stacks", ("type", "heap"), ("analyze", "false"));
        var dump = Path.Combine(Agent.DataDirectory, "artifacts", Assert.Single(dumped.Artifacts).Name);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Ops.Agent.dll"), "analyze-dump", dump, "--no-stacks" }) start.ArgumentList.Add(arg);

        using var process = Process.Start(start)!;
        var json = await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);

        Assert.Equal(0, process.ExitCode);
        var analysis = JsonDocument.Parse(json).RootElement;
        Assert.Equal("Ops.SampleApp.Chaos.OrderSnapshot", analysis.GetProperty("heap").GetProperty("topBySize")[0].GetProperty("type").GetString());
        Assert.All(analysis.GetProperty("threads").EnumerateArray(), t => Assert.Equal(0, t.GetProperty("frames").GetArrayLength()));
        Assert.Contains("the threads' stacks, locks waited for and exceptions were not read", analysis.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int Mkfifo([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, uint mode);

    private static string ProcFsCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return "";
        }
    }
}
