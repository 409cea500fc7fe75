using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Ops.Agent.Actions;
using Ops.Agent.Hosting;

namespace Ops.Agent.Dumps;

/// <summary>
/// Runs an analysis in a process of its own — the agent's own executable with <see cref="DumpAnalysisCommand.Verb"/> —
/// so the memory a dump's analysis takes and a reader crashing on a damaged dump never touch the agent: its managed heap
/// capped (DOTNET_GCHeapHardLimit), its anonymous memory watched and the process stopped past the limit, its time bounded,
/// and it is killed when the command is cancelled. Every failure is an <see cref="ActionParameterException"/> naming the bound.
/// </summary>
public sealed class DumpAnalysisRunner(IOptions<AgentOptions> options, TimeProvider clock)
{
    private DumpAnalysisOptions Settings => options.Value.DumpAnalysis;

    /// <summary>
    /// Analyses the dump, read with <paramref name="debuggingLibrary"/> when given (the target process's own, which matches
    /// its runtime exactly). Should the reader crash (the runtime's debugging library did, walking the stack of a thread
    /// caught mid-throw), it is run once more without reading any thread's stack, so the heap's findings are not lost.
    /// </summary>
    public async Task<DumpAnalysis> AnalyzeAsync(string dump, string? debuggingLibrary, CancellationToken cancellationToken)
    {
        var (exitCode, json, error) = await RunAsync(dump, debuggingLibrary, stacks: true, cancellationToken);
        if (exitCode is not (0 or 3 or DumpAnalysisCommand.OutOfMemory))
        {
            var crash = $"the reader crashed walking the threads' stacks (exit code {exitCode}: {LastLine(error)}) and was run again without them";
            (exitCode, json, error) = await RunAsync(dump, debuggingLibrary, stacks: false, cancellationToken);
            if (exitCode == 0 && JsonSerializer.Deserialize<DumpAnalysis>(json, DumpAnalysisCommand.Json) is { } partial) return partial with { Warnings = [.. partial.Warnings, crash] };
        }
        return exitCode switch
        {
            0 => JsonSerializer.Deserialize<DumpAnalysis>(json, DumpAnalysisCommand.Json) ?? throw new ActionParameterException("the dump analysis wrote nothing"),
            3 => throw new ActionParameterException($"{Path.GetFileName(dump)} could not be read as a .NET dump: {LastLine(error)}"),
            DumpAnalysisCommand.OutOfMemory => throw new ActionParameterException(OverMemory(dump, Settings)),
            _ => throw new ActionParameterException($"the dump analysis of {Path.GetFileName(dump)} failed (exit code {exitCode}): {LastLine(error)}"),
        };
    }

    /// <summary>One analysing process: its exit code, what it wrote and what it said; stopped (and said) past its memory or time.</summary>
    private async Task<(int ExitCode, string Json, string Error)> RunAsync(string dump, string? debuggingLibrary, bool stacks, CancellationToken cancellationToken)
    {
        var settings = Settings;
        using var process = Process.Start(StartInfo(dump, debuggingLibrary, settings, stacks)) ?? throw new ActionParameterException("the dump analysis process could not start");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var started = clock.GetUtcNow();
        string? stopped = null;
        try
        {
            while (!process.HasExited)
            {
                if (AnonymousBytes(process.Id) > settings.MemoryLimitBytes) stopped = OverMemory(dump, settings);
                else if (clock.GetUtcNow() - started > settings.Timeout)
                {
                    stopped = $"the analysis of {Path.GetFileName(dump)} did not finish within {settings.Timeout.TotalSeconds:0} s (Agent:DumpAnalysis:Timeout) and was stopped";
                }
                if (stopped is not null) break;
                await Task.WhenAny(process.WaitForExitAsync(cancellationToken), Task.Delay(TimeSpan.FromMilliseconds(50), clock, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
        if (stopped is not null) throw new ActionParameterException(stopped);
        return (process.ExitCode, await output, (await errors).Trim());
    }

    private static string OverMemory(string dump, DumpAnalysisOptions settings) =>
        $"the analysis of {Path.GetFileName(dump)} needed more than {settings.MemoryLimitBytes >> 20} MiB (Agent:DumpAnalysis:MemoryLimitBytes) and was stopped; download the dump to analyse it elsewhere";

    private static ProcessStartInfo StartInfo(string dump, string? debuggingLibrary, DumpAnalysisOptions settings, bool stacks)
    {
        // A published agent is its own host. Run through the dotnet host (the process runtime), or hosted by another program
        // (the tests'), the agent's assembly is started with dotnet.
        var agent = typeof(DumpAnalysisRunner).Assembly;
        var ownHost = System.Reflection.Assembly.GetEntryAssembly() == agent && Path.GetFileNameWithoutExtension(Environment.ProcessPath) is { } name && name != "dotnet";
        var start = new ProcessStartInfo(ownHost ? Environment.ProcessPath! : DotnetHost()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (!ownHost) start.ArgumentList.Add(agent.Location);
        foreach (var arg in new[] { DumpAnalysisCommand.Verb, dump, "--top", settings.TopTypes.ToString(CultureInfo.InvariantCulture), "--frames", settings.TopFrames.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(arg);
        if (!stacks) start.ArgumentList.Add(DumpAnalysisCommand.NoStacks);
        // The managed heap is capped below the limit the agent enforces, so the GC works harder before the process is stopped.
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x" + (settings.MemoryLimitBytes / 4 * 3).ToString("x", CultureInfo.InvariantCulture);
        if (debuggingLibrary is not null)
        {
            start.ArgumentList.Add("--dac");
            start.ArgumentList.Add(debuggingLibrary);
        }
        start.Environment["DOTNET_gcServer"] = "0";
        return start;
    }

    /// <summary>The dotnet host that runs this process (DOTNET_HOST_PATH under the SDK), else the one on the PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    /// <summary>The process's anonymous resident memory (its heaps: the dump's pages mapped from the file do not count).</summary>
    private static long AnonymousBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("RssAnon:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim() ?? "no reason given";
}
