namespace Ops.Operator.Controllers.ScheduledTasks;

/// <summary>
/// What a ScheduledTask should do now: start the run scheduled at <see cref="RunAt"/> (the most recent
/// one still within the starting deadline), or nothing; when its next run is; and how many runs were
/// due since the last one (more than 100: none is started, and it is recorded).
/// </summary>
public sealed record ScheduleDecision(DateTimeOffset? RunAt, DateTimeOffset? Next, int Due, bool TooManyMissed);
