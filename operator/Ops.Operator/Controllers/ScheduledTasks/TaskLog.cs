using Microsoft.Extensions.Logging;

namespace Ops.Operator.Controllers.ScheduledTasks;

/// <summary>What the ScheduledTask controller logs, with event ids 300–309.</summary>
internal static partial class TaskLog
{
    [LoggerMessage(300, LogLevel.Information, "Started run {Command} of {Namespace}/{Task} scheduled at {ScheduledAt}")]
    public static partial void RunStarted(ILogger logger, string command, string? @namespace, string task, DateTimeOffset scheduledAt);
}
