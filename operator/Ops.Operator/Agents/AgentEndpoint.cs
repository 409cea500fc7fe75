namespace Ops.Operator.Agents;

/// <summary>Where a node's agent answers, and whether it is ready to.</summary>
public sealed record AgentEndpoint(string Node, string Pod, string Address, bool Ready, string? Version);
