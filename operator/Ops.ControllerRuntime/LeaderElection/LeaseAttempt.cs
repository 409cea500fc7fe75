namespace Ops.ControllerRuntime.LeaderElection;

/// <summary>The outcome of one try to acquire or renew the lease.</summary>
public enum LeaseAttempt
{
    /// <summary>This replica holds the lease.</summary>
    Leader,
    /// <summary>Another replica holds an unexpired lease.</summary>
    Follower,
    /// <summary>The API could not be reached or the write conflicted; try again.</summary>
    Failed,
}
