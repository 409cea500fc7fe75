namespace Ops.Agent.Dumps;

/// <summary>A type on the heap: its objects and their bytes.</summary>
public sealed record TypeSize(string Type, long Count, long Bytes);
