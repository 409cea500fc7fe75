using Microsoft.Extensions.Logging;

namespace Ops.ControllerRuntime.LeaderElection;

/// <summary>What the leader elector logs, with event ids 100–109.</summary>
internal static partial class ElectorLog
{
    [LoggerMessage(100, LogLevel.Information, "{Identity} {Change} leading on {Lease}")]
    public static partial void LeadershipChanged(ILogger logger, string identity, string change, string lease);

    [LoggerMessage(101, LogLevel.Warning, "Could not acquire or renew the lease {Lease}: {Reason}")]
    public static partial void AttemptFailed(ILogger logger, string lease, string reason);

    [LoggerMessage(102, LogLevel.Warning, "Stopping leading: {Holder} holds the lease {Lease} now")]
    public static partial void LostToAnotherHolder(ILogger logger, string lease, string holder);

    [LoggerMessage(103, LogLevel.Error,
        "Stopping leading: the lease {Lease} was last renewed at {Renewed:O}, more than {Deadline} ago, after {Failures} failed attempts; the last: {LastFailure}")]
    public static partial void RenewDeadlinePassed(ILogger logger, string lease, DateTimeOffset renewed, TimeSpan deadline, int failures, string lastFailure);

    [LoggerMessage(104, LogLevel.Information, "Released the lease {Lease}")]
    public static partial void Released(ILogger logger, string lease);

    [LoggerMessage(105, LogLevel.Warning, "Could not release the lease {Lease}; another replica takes over when it expires")]
    public static partial void ReleaseFailed(ILogger logger, string lease, Exception error);
}
