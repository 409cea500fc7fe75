namespace Ops.Agent.Dumps;

/// <summary>A thread of a deadlock: where it waits, the lock it holds (by type) and the lock it waits for, held by the next thread.</summary>
public sealed record DeadlockedThread(int ManagedId, uint OsId, string Method, string Holds, string WaitsFor);
