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

/// <summary>The GC heap: bytes by generation (LOH and POH apart), free space, and the top types.</summary>
public sealed record HeapSummary(long TotalBytes, long Gen0Bytes, long Gen1Bytes, long Gen2Bytes, long LargeObjectBytes, long PinnedObjectBytes, long FreeBytes,
    double FragmentationPercent, long Objects, int FinalizerQueue, IReadOnlyList<TypeSize> TopBySize, IReadOnlyList<TypeSize> TopByCount);

public sealed record TypeSize(string Type, long Count, long Bytes);

/// <summary>A managed thread: its top frames, the exception it is handling, the locks it holds and the one it waits for.</summary>
public sealed record ThreadSummary(int ManagedId, uint OsId, IReadOnlyList<string> Frames, ExceptionSummary? Exception, IReadOnlyList<string> LocksHeld, string? WaitingFor);

public sealed record ExceptionSummary(string Type, string Message, IReadOnlyList<string> Stack);

/// <summary>A cycle of threads each waiting for a monitor the next one holds.</summary>
public sealed record Deadlock(IReadOnlyList<DeadlockedThread> Threads);

/// <summary>A thread of a deadlock: where it waits, the lock it holds (by type) and the lock it waits for, held by the next thread.</summary>
public sealed record DeadlockedThread(int ManagedId, uint OsId, string Method, string Holds, string WaitsFor);

public sealed record ThreadPoolSummary(int MinThreads, int MaxThreads, int ActiveWorkers, int IdleWorkers, int CpuUtilization, string? Hint);

/// <summary>Exception objects on the heap by type: how many, and the message of one.</summary>
public sealed record ExceptionCount(string Type, long Count, string SampleMessage);
