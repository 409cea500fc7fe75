namespace Ops.Agent.Dumps;

/// <summary>The thread pool: its bounds, its workers and CPU, and a hint when it looks starved.</summary>
public sealed record ThreadPoolSummary(int MinThreads, int MaxThreads, int ActiveWorkers, int IdleWorkers, int CpuUtilization, string? Hint);
