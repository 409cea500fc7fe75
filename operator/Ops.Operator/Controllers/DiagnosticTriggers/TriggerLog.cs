using Microsoft.Extensions.Logging;

namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>What the DiagnosticTrigger controller logs, with event ids 1100–1109.</summary>
internal static partial class TriggerLog
{
    [LoggerMessage(1100, LogLevel.Information, "Trigger {Namespace}/{Trigger} fired for pod {Pod}: {Crossing}; started {Command}")]
    public static partial void Fired(ILogger logger, string? @namespace, string trigger, string pod, string crossing, string command);

    [LoggerMessage(1101, LogLevel.Warning, "Trigger {Namespace}/{Trigger} held a crossing of pod {Pod} back: {Reason}")]
    public static partial void Withheld(ILogger logger, string? @namespace, string trigger, string pod, string reason);

    [LoggerMessage(1102, LogLevel.Warning, "A counter watch sync failed")]
    public static partial void SyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(1103, LogLevel.Warning, "The agent on node {Node} did not answer the counter watch sync: {Detail}")]
    public static partial void AgentSyncFailed(ILogger logger, string node, string detail);
}
