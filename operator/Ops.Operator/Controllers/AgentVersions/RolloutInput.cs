using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// What one rollout decision looks at: the AgentVersion (name, generation, spec, the step approved by
/// annotation), the rollout as its status records it, the fleet and its health as observed now, and the time.
/// </summary>
public sealed record RolloutInput(
    string Name,
    long? Generation,
    V1Alpha1AgentVersion.VersionSpec Spec,
    int? ApprovedStep,
    RolloutState State,
    Fleet Fleet,
    FleetHealth Health,
    DateTimeOffset Now);
