namespace Ops.Agent.Dumps;

/// <summary>A managed thread: its top frames, the exception it is handling, the locks it holds and the one it waits for.</summary>
public sealed record ThreadSummary(int ManagedId, uint OsId, IReadOnlyList<string> Frames, ExceptionSummary? Exception, IReadOnlyList<string> LocksHeld, string? WaitingFor);
