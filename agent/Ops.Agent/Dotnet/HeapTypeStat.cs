namespace Ops.Agent.Dotnet;

/// <summary>One type on the managed heap: how many live objects and how many bytes they take (shallow size).</summary>
public sealed record HeapTypeStat(string TypeName, long Count, long Bytes);
