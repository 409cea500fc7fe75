using Microsoft.Diagnostics.Runtime;

namespace Ops.Agent.Dumps;

/// <summary>
/// Reads a .NET dump with ClrMD. It runs in a short-lived process of its own (<see cref="DumpAnalysisRunner"/>): the
/// memory a large dump's analysis needs, and a crash of the reader on a damaged dump, are that process's, never the agent's.
/// </summary>
public static class DumpAnalyzer
{
    /// <summary>The analysis; without <paramref name="stacks"/>, no thread's stack, roots or exception is read (the runner's second try after a crash there).</summary>
    public static DumpAnalysis Analyze(string path, int topTypes, int topFrames, string? debuggingLibrary = null, bool stacks = true)
    {
        using var target = DataTarget.LoadDump(path);
        var clr = target.ClrVersions.FirstOrDefault() ?? throw new InvalidDataException("the dump holds no .NET runtime");
        using var runtime = Open(clr, debuggingLibrary);
        var heap = runtime.Heap;
        var warnings = new List<string>();
        if (!heap.CanWalkHeap) warnings.Add("the dump was taken during a garbage collection: the heap may be read only in part");
        if (!stacks) warnings.Add("the threads' stacks, locks waited for and exceptions were not read");

        // Monitors held, from the heap's sync blocks: walking every thread's stack roots crashed the runtime's debugging
        // library on a thread in the middle of throwing (a segmentation fault, in this process and not the agent's).
        var (summary, exceptions, held) = ReadHeap(heap, topTypes);
        var threads = new List<ThreadSummary>();
        var waits = new Dictionary<ulong, (ClrThread Thread, ulong Lock, string Type, string Method)>();
        var holders = new Dictionary<ulong, ClrThread>();
        var byAddress = runtime.Threads.ToDictionary(t => t.Address);
        foreach (var (lockObject, (holder, _)) in held)
        {
            if (byAddress.TryGetValue(holder, out var thread)) holders[lockObject] = thread;
        }
        foreach (var thread in runtime.Threads.Where(t => t.IsAlive))
        {
            // Managed frames only: the runtime's transition frames ([InlinedCallFrame] ...) say nothing to a reader.
            var frames = stacks ? thread.EnumerateStackTrace().Where(f => f.Method is not null).Take(Math.Max(topFrames, 16)).Select(f => f.Method!.Signature ?? f.Method.Name ?? "?").ToList() : [];
            var locks = held.Where(h => h.Value.Holder == thread.Address).Select(h => h.Value.Type).Distinct(StringComparer.Ordinal).ToList();
            string? waitingFor = null;
            // Only a thread blocked entering a monitor has its stack roots read: the monitor it waits for is among them, held by another thread.
            if (InMonitorEnter(frames))
            {
                foreach (var root in thread.EnumerateStackRoots())
                {
                    if (!held.TryGetValue(root.Object.Address, out var other) || other.Holder == thread.Address) continue;
                    waitingFor = other.Type;
                    waits[thread.Address] = (thread, root.Object.Address, other.Type, frames.FirstOrDefault(IsUserFrame) ?? frames.FirstOrDefault() ?? "?");
                    break;
                }
            }
            var exception = stacks && thread.CurrentException is { } e ? new ExceptionSummary(e.Type?.Name ?? "?", e.Message ?? "", [.. e.StackTrace.Take(topFrames).Select(f => f.Method?.Signature ?? "?")]) : null;
            threads.Add(new ThreadSummary(thread.ManagedThreadId, thread.OSThreadId, [.. frames.Take(topFrames)], exception, locks, waitingFor));
        }
        var pool = runtime.ThreadPool is { } tp
            ? new ThreadPoolSummary(tp.MinThreads, tp.MaxThreads, tp.ActiveWorkerThreads, tp.IdleWorkerThreads, tp.CpuUtilization,
                tp.ActiveWorkerThreads >= tp.MaxThreads ? $"thread pool starvation: all {tp.MaxThreads} workers are busy" : null)
            : null;
        return new DumpAnalysis(VersionOf(clr), heap.IsServer ? "server" : "workstation", summary, threads, Deadlocks.Find(waits, holders), pool, exceptions, warnings);
    }

    /// <summary>
    /// The runtime, read through its debugging library: the one taken from the target process (it matches exactly), else the
    /// one where the dump says the runtime was (a node running the same runtime), else this agent's own runtime's (the same
    /// version when the app was built with the same SDK; the dump's own version is not readable from an ELF dump).
    /// </summary>
    private static ClrRuntime Open(ClrInfo clr, string? debuggingLibrary)
    {
        var own = Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "libmscordaccore.so");
        var attempts = new List<Func<ClrRuntime>>();
        if (debuggingLibrary is not null) attempts.Add(() => clr.CreateRuntime(debuggingLibrary, ignoreMismatch: true));
        attempts.Add(() => clr.CreateRuntime());
        attempts.Add(() => File.Exists(own) ? clr.CreateRuntime(own, ignoreMismatch: true) : throw new FileNotFoundException($"no {own}"));
        var failures = new List<string>();
        foreach (var attempt in attempts)
        {
            try
            {
                return attempt();
            }
            catch (Exception e) when (e is FileNotFoundException or ClrDiagnosticsException or InvalidOperationException or DllNotFoundException)
            {
                failures.Add(e.Message);
            }
        }
        throw new InvalidDataException($"no debugging library (libmscordaccore.so) of the dump's .NET runtime could read it: {string.Join("; ", failures)}");
    }

    /// <summary>The runtime's version: its module's, else the directory it was loaded from (a shared runtime's is named after it).</summary>
    private static string VersionOf(ClrInfo clr) =>
        clr.Version is { Major: > 0 } version ? version.ToString()
        : clr.ModuleInfo.FileName.Split('/').LastOrDefault(part => part.Length > 0 && char.IsAsciiDigit(part[0]) && part.Contains('.', StringComparison.Ordinal)) ?? "unknown";

    /// <summary>Whether the thread is blocked entering a monitor (a lock statement, Monitor.Enter), by its top frames.</summary>
    private static bool InMonitorEnter(List<string> frames) =>
        frames.Take(8).Any(f => f.Contains("Monitor.Enter", StringComparison.Ordinal) || f.Contains("Monitor.ReliableEnter", StringComparison.Ordinal)
            || f.Contains("Monitor.TryEnter", StringComparison.Ordinal) || f.Contains("JIT_MonEnter", StringComparison.Ordinal) || f.Contains("Lock.Enter", StringComparison.Ordinal));

    /// <summary>The first frame that is the program's own: not the runtime's, not System.Threading's.</summary>
    private static bool IsUserFrame(string frame) => !frame.StartsWith("System.", StringComparison.Ordinal);

    private static readonly HashSet<string> Preallocated = new(["System.OutOfMemoryException", "System.StackOverflowException", "System.ExecutionEngineException"], StringComparer.Ordinal);

    private static (HeapSummary Summary, List<ExceptionCount> Exceptions, Dictionary<ulong, (ulong Holder, string Type)> Held) ReadHeap(ClrHeap heap, int topTypes)
    {
        var held = new Dictionary<ulong, (ulong Holder, string Type)>();
        var types = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
        var exceptions = new Dictionary<string, (long Count, string Message)>(StringComparer.Ordinal);
        long gen0 = 0, gen1 = 0, gen2 = 0, large = 0, pinned = 0, free = 0, objects = 0;
        foreach (var obj in heap.EnumerateObjects())
        {
            if (!obj.IsValid || obj.Type is not { } type) continue;
            var size = (long)obj.Size;
            if (obj.IsFree)
            {
                free += size;
                continue;
            }
            objects++;
            var name = type.Name ?? "?";
            if (obj.SyncBlock is { IsMonitorHeld: true } sync) held[obj.Address] = (sync.HoldingThreadAddress, name);
            var known = types.GetValueOrDefault(name);
            types[name] = (known.Count + 1, known.Bytes + size);
            switch (heap.GetSegmentByAddress(obj.Address)?.GetGeneration(obj.Address))
            {
                case Generation.Generation0: gen0 += size; break;
                case Generation.Generation1: gen1 += size; break;
                case Generation.Large: large += size; break;
                case Generation.Pinned: pinned += size; break;
                default: gen2 += size; break;
            }
            // The runtime preallocates an OutOfMemoryException, a StackOverflowException and an ExecutionEngineException in every process.
            if (type.IsException && !Preallocated.Contains(name))
            {
                var seen = exceptions.GetValueOrDefault(name);
                var message = seen.Message ?? (obj.TryReadStringField("_message", 512, out var text) ? text ?? "" : "");
                exceptions[name] = (seen.Count + 1, message);
            }
        }
        var total = gen0 + gen1 + gen2 + large + pinned;
        var summary = new HeapSummary(total, gen0, gen1, gen2, large, pinned, free, total + free == 0 ? 0 : 100.0 * free / (total + free), objects,
            heap.EnumerateFinalizableObjects().Count(),
            [.. types.OrderByDescending(t => t.Value.Bytes).Take(topTypes).Select(t => new TypeSize(t.Key, t.Value.Count, t.Value.Bytes))],
            [.. types.OrderByDescending(t => t.Value.Count).Take(topTypes).Select(t => new TypeSize(t.Key, t.Value.Count, t.Value.Bytes))]);
        return (summary, [.. exceptions.OrderByDescending(e => e.Value.Count).Take(topTypes).Select(e => new ExceptionCount(e.Key, e.Value.Count, e.Value.Message))], held);
    }
}
