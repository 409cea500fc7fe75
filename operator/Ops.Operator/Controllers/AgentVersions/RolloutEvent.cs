namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>An Event a rollout decision records on its AgentVersion, once the status that holds the transition is written.</summary>
public sealed record RolloutEvent(string Type, string Reason, string Message);
