using Microsoft.Extensions.Logging;
using Ops.ControllerRuntime.Client;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>What the DiagnosticCommand controller and its fan-out log, with event ids 200–219.</summary>
internal static partial class CommandLog
{
    [LoggerMessage(200, LogLevel.Information, "Target {Target}: {Problem}; retrying")]
    public static partial void TargetRetrying(ILogger logger, string target, string problem);

    [LoggerMessage(201, LogLevel.Warning, "Could not cancel command {CommandUid} on node {Node}: {Detail}")]
    public static partial void CancelFailed(ILogger logger, string commandUid, string node, string detail);

    [LoggerMessage(202, LogLevel.Warning, "Could not cancel {Target} of command {CommandUid} on node {Node}: {Detail}")]
    public static partial void TargetCancelFailed(ILogger logger, string target, string commandUid, string node, string detail);

    [LoggerMessage(203, LogLevel.Information, "Running {Action} of {Namespace}/{Command} on {Targets} targets")]
    public static partial void FanOutStarted(ILogger logger, string action, string? @namespace, string command, int targets);

    [LoggerMessage(204, LogLevel.Information, "Rejected {Namespace}/{Command}: {Reason}: {Message}")]
    public static partial void Rejected(ILogger logger, string? @namespace, string command, string reason, string message);

    [LoggerMessage(205, LogLevel.Information, "Resuming {Namespace}/{Command} ({Targets} targets)")]
    public static partial void Resuming(ILogger logger, string? @namespace, string command, int targets);

    [LoggerMessage(206, LogLevel.Information, "Deleting {Namespace}/{Command}: ttlSecondsAfterFinished has passed")]
    public static partial void TtlExpired(ILogger logger, string? @namespace, string command);

    [LoggerMessage(208, LogLevel.Warning, "{Namespace}/{Command} waits: the operator's RBAC refused a call it needs: {Message}")]
    public static partial void PermissionDenied(ILogger logger, string? @namespace, string command, string message);

    [LoggerMessage(207, LogLevel.Error, "The fan-out of {Command} failed")]
    public static partial void FanOutFailed(ILogger logger, NamespacedName command, Exception error);
}
