namespace Ops.Agent.Dumps;

/// <summary>A cycle of threads each waiting for a monitor the next one holds.</summary>
public sealed record Deadlock(IReadOnlyList<DeadlockedThread> Threads);
