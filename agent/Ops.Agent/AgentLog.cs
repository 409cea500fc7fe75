using Microsoft.Extensions.Logging;
using Ops.Agent.V1;

namespace Ops.Agent;

/// <summary>What the agent logs, with event ids 1000–1099, by area: artifacts, mTLS, executions, .NET sessions.</summary>
internal static partial class AgentLog
{
    [LoggerMessage(1000, LogLevel.Information, "Stored artifact {Name} ({Bytes} bytes)")]
    public static partial void ArtifactStored(ILogger logger, string name, long bytes);

    [LoggerMessage(1001, LogLevel.Information, "Deleted expired artifact {Name}")]
    public static partial void ArtifactExpired(ILogger logger, string name);

    [LoggerMessage(1010, LogLevel.Warning, "Refused a client: {Reason} (subject {Subject})")]
    public static partial void ClientRefused(ILogger logger, string reason, string? subject);

    [LoggerMessage(1020, LogLevel.Error, "Action {Action} failed for {Target}")]
    public static partial void ActionFailed(ILogger logger, string action, string target, Exception error);

    [LoggerMessage(1021, LogLevel.Information, "Execution {Action} for {CommandUid}/{Target} ended {Phase} in {DurationMs} ms")]
    public static partial void ExecutionEnded(ILogger logger, string action, string commandUid, string target, ExecutionPhase phase, long durationMs);

    [LoggerMessage(1022, LogLevel.Warning, "The runtime was still writing dump {Path} {Grace} after the request was cut; it may be left behind")]
    public static partial void DumpStillBeingWritten(ILogger logger, string path, TimeSpan grace);

    [LoggerMessage(1030, LogLevel.Information, "Runtime {Cookie} (pid {Pid} in its pod) connected to {Socket}")]
    public static partial void RuntimeConnected(ILogger logger, Guid cookie, int pid, string socket);

    [LoggerMessage(1031, LogLevel.Warning, "Listen-mode socket {Socket} failed to accept a runtime")]
    public static partial void ListenAcceptFailed(ILogger logger, string socket, Exception error);
}
