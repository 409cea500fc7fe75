namespace Ops.Agent.Dumps;

/// <summary>An exception a thread is handling: its type, message and the top of its stack.</summary>
public sealed record ExceptionSummary(string Type, string Message, IReadOnlyList<string> Stack);
