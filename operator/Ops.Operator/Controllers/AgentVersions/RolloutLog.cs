using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>What the AgentVersion controller and its health gate log, with event ids 400–409.</summary>
internal static partial class RolloutLog
{
    [LoggerMessage(400, LogLevel.Information, "Agent DaemonSet {Namespace}/{Name} now runs {Image} (OnDelete)")]
    public static partial void TemplateWritten(ILogger logger, string @namespace, string name, string image);

    [LoggerMessage(401, LogLevel.Information, "Deleted agent pod {Pod} on {Node} to replace it")]
    public static partial void AgentPodDeleted(ILogger logger, string pod, string? node);

    [LoggerMessage(402, LogLevel.Information, "Health gate of agent pod {Pod}: not reachable yet ({Status}: {Detail})")]
    public static partial void AgentNotReachable(ILogger logger, string pod, StatusCode status, string detail);
}
