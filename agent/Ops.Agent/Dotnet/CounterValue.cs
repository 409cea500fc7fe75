namespace Ops.Agent.Dotnet;

/// <summary>One runtime counter over the sampled window: the last interval's mean, or the total of an incrementing counter.</summary>
public sealed record CounterValue(string Name, string DisplayName, double Value, string Unit, bool IsTotal);
