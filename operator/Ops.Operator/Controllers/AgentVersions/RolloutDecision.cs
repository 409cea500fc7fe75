namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// What a rollout decision says to do: the state to record, the nodes whose old agent pod to delete
/// (the DaemonSet re-creates each from the current template), the Events to record with the status,
/// and when to look again (null: only when something changes).
/// </summary>
public sealed record RolloutDecision(RolloutState State, int TotalSteps, IReadOnlyList<FleetNode> Replace, IReadOnlyList<RolloutEvent> Events, TimeSpan? Wake);
