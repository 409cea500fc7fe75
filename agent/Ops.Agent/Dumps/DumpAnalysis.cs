namespace Ops.Agent.Dumps;

/// <summary>
/// What the analysis of a .NET dump found, as the analysing process writes it (JSON) and the agent reports it: the
/// runtime, the GC heap by generation and type, the threads with their stacks, exceptions and locks, deadlocks, the
/// thread pool, the finalizer queue, and the exception objects on the heap.
/// </summary>
public sealed record DumpAnalysis(
    string RuntimeVersion,
    string GcMode,
    HeapSummary Heap,
    IReadOnlyList<ThreadSummary> Threads,
    IReadOnlyList<Deadlock> Deadlocks,
    ThreadPoolSummary? ThreadPool,
    IReadOnlyList<ExceptionCount> Exceptions,
    IReadOnlyList<string> Warnings);
