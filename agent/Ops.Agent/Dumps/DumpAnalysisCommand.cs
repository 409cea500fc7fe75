using System.Globalization;
using System.Text.Json;

namespace Ops.Agent.Dumps;

/// <summary>
/// The agent's second entry point, <c>analyze-dump DUMP --top N --frames N [--dac PATH] [--no-stacks]</c>: analyses one dump and writes the analysis
/// as JSON on standard output. The agent starts it as a process of its own (<see cref="DumpAnalysisRunner"/>).
/// Exit codes: 0 analysed; 3 not a readable .NET dump (the reason on standard error); 4 out of its memory; 2 bad usage.
/// </summary>
public static class DumpAnalysisCommand
{
    public const string Verb = "analyze-dump";

    public const int OutOfMemory = 4;

    /// <summary>Reads no thread's stack: the runner's second try when the runtime's debugging library crashed walking one.</summary>
    public const string NoStacks = "--no-stacks";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static int Run(string[] args)
    {
        if (args is not [var path, ..] || !File.Exists(path))
        {
            Console.Error.WriteLine($"usage: {Verb} DUMP [--top N] [--frames N] [--dac PATH] [{NoStacks}]{(args.Length > 0 ? $" (no file {args[0]})" : "")}");
            return 2;
        }
        // Should the container's memory run out while it analyses, the kernel stops this process, not the agent beside it.
        try
        {
            File.WriteAllText("/proc/self/oom_score_adj", "1000");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        int Option(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : fallback;
        try
        {
            var analysis = DumpAnalyzer.Analyze(path, Option("--top", 15), Option("--frames", 12), args.SkipWhile(a => a != "--dac").Skip(1).FirstOrDefault(), stacks: !args.Contains(NoStacks));
            Console.Out.Write(JsonSerializer.Serialize(analysis, Json));
            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or InvalidOperationException or Microsoft.Diagnostics.Runtime.ClrDiagnosticsException or BadImageFormatException)
        {
            // A file that is not a dump, a truncated one, a runtime whose debugging library is missing: said, not thrown.
            Console.Error.WriteLine(e.Message);
            return 3;
        }
        catch (OutOfMemoryException)
        {
            // Its heap is capped (DOTNET_GCHeapHardLimit) below the limit the agent watches: the same bound, said the same way.
            return OutOfMemory;
        }
    }
}
