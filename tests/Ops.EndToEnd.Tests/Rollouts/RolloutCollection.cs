namespace Ops.EndToEnd.Tests.Rollouts;

/// <summary>
/// The rollout tests each start a 10-node cluster of their own and replace every agent in it; they run
/// one at a time, alone, so the unavailability they measure is the operator's doing, not the machine's load.
/// </summary>
[CollectionDefinition(nameof(RolloutCollection), DisableParallelization = true)]
public sealed class RolloutCollection;
