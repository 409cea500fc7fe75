using Cronos;

namespace Ops.Operator.Controllers.ScheduledTasks;

/// <summary>
/// A ScheduledTask's schedule: a 5-field cron expression (Cronos) in an IANA time zone. Occurrences are
/// computed in that zone, so a daily 02:30 run follows daylight-saving changes as the zone's clocks do
/// (a time skipped by the spring change runs at the shifted instant; one repeated in autumn runs once).
/// </summary>
public sealed class TaskSchedule
{
    /// <summary>More missed runs than this after downtime are not replayed: recorded and skipped, as CronJob does.</summary>
    public const int MaxMissedRuns = 100;

    private readonly CronExpression _cron;
    private readonly TimeZoneInfo _zone;

    private TaskSchedule(CronExpression cron, TimeZoneInfo zone)
    {
        _cron = cron;
        _zone = zone;
    }

    /// <summary>The schedule, or why it cannot be one (a message for the task's condition).</summary>
    public static TaskSchedule? Parse(string schedule, string? timeZone, out string? problem)
    {
        CronExpression cron;
        try
        {
            cron = CronExpression.Parse(schedule, CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            problem = $"spec.schedule \"{schedule}\" is not a 5-field cron schedule: {e.Message}";
            return null;
        }
        catch (MissingSeedException)
        {
            // Cronos reads H as a hashed field (Jenkins style), which needs a seed: not CronJob syntax.
            problem = $"spec.schedule \"{schedule}\" is not a 5-field cron schedule: H (hashed) fields are not supported";
            return null;
        }
        var zone = TimeZoneInfo.Utc;
        if (!string.IsNullOrEmpty(timeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out zone))
        {
            problem = $"spec.timeZone \"{timeZone}\" is not an IANA time zone known to the operator";
            return null;
        }
        problem = null;
        return new TaskSchedule(cron, zone!);
    }

    /// <summary>The first run strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) => _cron.GetNextOccurrence(after, _zone, inclusive: false);

    /// <summary>
    /// What is due at <paramref name="now"/>, given the last run's scheduled time (or the task's creation
    /// when it never ran): the most recent missed run time, if any is still allowed to start.
    /// </summary>
    public ScheduleDecision Decide(DateTimeOffset lastScheduled, DateTimeOffset now, long? startingDeadlineSeconds)
    {
        var earliest = lastScheduled;
        if (startingDeadlineSeconds is { } deadline && now - TimeSpan.FromSeconds(deadline) > earliest) earliest = now - TimeSpan.FromSeconds(deadline);
        DateTimeOffset? mostRecent = null;
        var missed = 0;
        foreach (var occurrence in _cron.GetOccurrences(earliest, now, _zone, fromInclusive: false, toInclusive: true))
        {
            mostRecent = occurrence;
            if (++missed > MaxMissedRuns) break;
        }
        var next = NextAfter(now);
        if (missed > MaxMissedRuns) return new ScheduleDecision(null, next, missed, TooManyMissed: true);
        return new ScheduleDecision(mostRecent, next, missed, TooManyMissed: false);
    }
}
