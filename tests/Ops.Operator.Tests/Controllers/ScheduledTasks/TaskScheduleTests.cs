using Ops.Operator.Controllers.ScheduledTasks;

namespace Ops.Operator.Tests.Controllers.ScheduledTasks;

public sealed class TaskScheduleTests
{
    private static readonly DateTimeOffset Ten = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static TaskSchedule Schedule(string cron, string? zone = null) => TaskSchedule.Parse(cron, zone, out var problem) ?? throw new InvalidOperationException(problem);

    [Fact]
    public void Nothing_is_due_before_the_first_time_and_the_next_time_is_known()
    {
        var decision = Schedule("*/5 * * * *").Decide(Ten, Ten.AddMinutes(4), startingDeadlineSeconds: null);

        Assert.Null(decision.RunAt);
        Assert.Equal(Ten.AddMinutes(5), decision.Next);
    }

    [Fact]
    public void A_due_time_runs_once_and_after_downtime_only_the_most_recent_missed_time_runs()
    {
        var schedule = Schedule("*/5 * * * *");

        var onTime = schedule.Decide(Ten, Ten.AddMinutes(5).AddSeconds(30), null);
        var afterDowntime = schedule.Decide(Ten.AddMinutes(5), Ten.AddMinutes(31), null);

        Assert.Equal((Ten.AddMinutes(5), 1), (onTime.RunAt!.Value, onTime.Due));
        Assert.Equal((Ten.AddMinutes(30), 5), (afterDowntime.RunAt!.Value, afterDowntime.Due));
        Assert.Equal(Ten.AddMinutes(35), afterDowntime.Next);
    }

    [Fact]
    public void A_run_past_its_starting_deadline_is_not_started()
    {
        var schedule = Schedule("*/5 * * * *");

        var late = schedule.Decide(Ten.AddMinutes(5), Ten.AddMinutes(31).AddSeconds(30), startingDeadlineSeconds: 60);
        var inTime = schedule.Decide(Ten.AddMinutes(5), Ten.AddMinutes(30).AddSeconds(45), startingDeadlineSeconds: 60);

        Assert.Null(late.RunAt);
        Assert.Equal(Ten.AddMinutes(35), late.Next);
        Assert.Equal(Ten.AddMinutes(30), inTime.RunAt);
    }

    [Fact]
    public void More_than_100_missed_runs_are_reported_and_none_is_started()
    {
        var decision = Schedule("* * * * *").Decide(Ten, Ten.AddHours(3), null);

        Assert.True(decision.TooManyMissed);
        Assert.Null(decision.RunAt);
        Assert.Equal(Ten.AddHours(3).AddMinutes(1), decision.Next);
    }

    [Fact]
    public void A_daily_run_follows_the_zones_daylight_saving_changes()
    {
        var paris = Schedule("30 2 * * *", "Europe/Paris");

        // Spring forward on 2026-03-29: 02:30 does not exist in Paris; the run happens at 03:00 CEST (01:00 UTC).
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), paris.NextAfter(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero)));
        // Fall back on 2026-10-25: 02:30 happens twice; the run happens once, at the first (00:30 UTC), then 02:30 CET the next day.
        var first = paris.NextAfter(new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.Zero))!.Value;
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), first);
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 1, 30, 0, TimeSpan.Zero), paris.NextAfter(first));
        // Outside the change, 02:30 in Paris is 00:30 UTC in summer and 01:30 UTC in winter.
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 0, 30, 0, TimeSpan.Zero), paris.NextAfter(new DateTimeOffset(2026, 6, 30, 12, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("*/5 * * *", null, "spec.schedule \"*/5 * * *\" is not a 5-field cron schedule: ")]
    [InlineData("61 * * * *", null, "spec.schedule \"61 * * * *\" is not a 5-field cron schedule: ")]
    [InlineData("H * * * *", null, "spec.schedule \"H * * * *\" is not a 5-field cron schedule: H (hashed) fields are not supported")]
    [InlineData("0 3 * * *", "Mars/Olympus_Mons", "spec.timeZone \"Mars/Olympus_Mons\" is not an IANA time zone known to the operator")]
    public void An_invalid_schedule_or_time_zone_says_what_is_wrong(string cron, string? zone, string expected)
    {
        Assert.Null(TaskSchedule.Parse(cron, zone, out var problem));
        Assert.StartsWith(expected, problem);
    }
}
