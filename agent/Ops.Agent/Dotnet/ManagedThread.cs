namespace Ops.Agent.Dotnet;

/// <summary>One managed thread and its stack, innermost frame first.</summary>
public sealed record ManagedThread(int ThreadId, IReadOnlyList<string> Frames);
