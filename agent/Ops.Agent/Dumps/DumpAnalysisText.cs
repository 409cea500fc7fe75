using System.Globalization;
using System.Text;

namespace Ops.Agent.Dumps;

/// <summary>
/// An analysis as a person reads it: the findings first (a deadlock above all, then the heap's biggest type, exceptions
/// and the thread pool), so the first KiB that lands in a command's status says what matters; then the details.
/// </summary>
public static class DumpAnalysisText
{
    public static string Render(DumpAnalysis analysis, string dump)
    {
        var text = new StringBuilder();
        foreach (var line in Findings(analysis)) text.Append(line).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"\nanalysis of {dump}: .NET {analysis.RuntimeVersion}, {analysis.GcMode} GC\n");
        var heap = analysis.Heap;
        text.Append(CultureInfo.InvariantCulture,
            $"heap: {MiB(heap.TotalBytes)} in {heap.Objects} objects: gen0 {MiB(heap.Gen0Bytes)}, gen1 {MiB(heap.Gen1Bytes)}, gen2 {MiB(heap.Gen2Bytes)}, LOH {MiB(heap.LargeObjectBytes)}, POH {MiB(heap.PinnedObjectBytes)}; free {MiB(heap.FreeBytes)} ({heap.FragmentationPercent:0.#} % fragmentation); finalizer queue {heap.FinalizerQueue}\n");
        text.Append("top types by size:\n");
        foreach (var type in heap.TopBySize) text.Append(CultureInfo.InvariantCulture, $"  {MiB(type.Bytes),10}  {type.Count,9}  {type.Type}\n");
        text.Append("top types by count:\n");
        foreach (var type in heap.TopByCount) text.Append(CultureInfo.InvariantCulture, $"  {type.Count,9}  {MiB(type.Bytes),10}  {type.Type}\n");
        if (analysis.Exceptions.Count > 0)
        {
            text.Append("exception objects on the heap:\n");
            foreach (var e in analysis.Exceptions) text.Append(CultureInfo.InvariantCulture, $"  {e.Count,6}  {e.Type}: {e.SampleMessage}\n");
        }
        if (analysis.ThreadPool is { } pool)
        {
            text.Append(CultureInfo.InvariantCulture, $"thread pool: {pool.ActiveWorkers} active and {pool.IdleWorkers} idle workers (min {pool.MinThreads}, max {pool.MaxThreads}), CPU {pool.CpuUtilization} %\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"threads: {analysis.Threads.Count}\n");
        foreach (var thread in analysis.Threads)
        {
            text.Append(CultureInfo.InvariantCulture, $"thread {thread.ManagedId} (OS {thread.OsId})");
            if (thread.LocksHeld.Count > 0) text.Append(CultureInfo.InvariantCulture, $", holds {string.Join(", ", thread.LocksHeld)}");
            if (thread.WaitingFor is { } waits) text.Append(CultureInfo.InvariantCulture, $", waits for {waits}");
            text.Append('\n');
            if (thread.Exception is { } e) text.Append(CultureInfo.InvariantCulture, $"  exception {e.Type}: {e.Message}\n");
            foreach (var frame in thread.Frames) text.Append("    ").Append(frame).Append('\n');
        }
        foreach (var warning in analysis.Warnings) text.Append("warning: ").Append(warning).Append('\n');
        return text.ToString();
    }

    /// <summary>What the analysis found, most important first, one line each.</summary>
    public static IEnumerable<string> Findings(DumpAnalysis analysis)
    {
        foreach (var deadlock in analysis.Deadlocks)
        {
            yield return "DEADLOCK: " + string.Join("; ", deadlock.Threads.Select(t =>
                $"thread {t.ManagedId} (OS {t.OsId}) in {t.Method} holds {t.Holds} and waits for {t.WaitsFor}"));
        }
        // A process ended by Environment.FailFast (its crash dump) shows the runtime's ExecutionEngineException on the
        // thread: the caller says more.
        var failFast = new HashSet<int>();
        foreach (var thread in analysis.Threads)
        {
            var at = thread.Frames.ToList().FindIndex(IsFailFast);
            if (at < 0) continue;
            failFast.Add(thread.ManagedId);
            var caller = thread.Frames.Skip(at).FirstOrDefault(f => !IsFailFast(f));
            yield return $"CRASH: thread {thread.ManagedId} (OS {thread.OsId}) called Environment.FailFast{(caller is null ? "" : $" from {caller}")}";
        }
        if (analysis.Heap.TopBySize is [var top, ..])
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"heap {MiB(analysis.Heap.TotalBytes)}; largest type {top.Type}: {MiB(top.Bytes)} in {top.Count} objects");
        }
        foreach (var thread in analysis.Threads.Where(t => t.Exception is not null && !failFast.Contains(t.ManagedId)))
        {
            yield return $"thread {thread.ManagedId} is handling {thread.Exception!.Type}: {thread.Exception.Message}";
        }
        if (analysis.Exceptions is [var most, ..])
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{most.Count} {most.Type} on the heap, for example: {most.SampleMessage}");
        }
        if (analysis.ThreadPool?.Hint is { } hint) yield return hint;
    }

    private static bool IsFailFast(string frame) => frame.StartsWith("System.Environment.FailFast(", StringComparison.Ordinal);

    private static string MiB(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MiB");
}
