namespace Ops.Agent.Dumps;

/// <summary>Exception objects on the heap by type: how many, and the message of one.</summary>
public sealed record ExceptionCount(string Type, long Count, string SampleMessage);
