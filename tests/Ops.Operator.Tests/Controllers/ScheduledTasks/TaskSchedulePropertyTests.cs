using CsCheck;
using Ops.Operator.Controllers.ScheduledTasks;

namespace Ops.Operator.Tests.Controllers.ScheduledTasks;

/// <summary>Random and hostile cron strings and time zones: a schedule whose next run is later, or a reason; never an exception.</summary>
public sealed class TaskSchedulePropertyTests
{
    private static readonly Gen<string> Field = Gen.Frequency(
        (4, Gen.OneOf(["*", "*/0", "*/5", "0", "59", "60", "-1", "1-5", "5-1", "1,2,,3", "L", "W", "1#2", "?", "JAN", "MON-FRI", "99999999999", "*/99999999999", "", "\t", "@daily"])),
        (1, Gen.String[0, 8]));

    private static readonly Gen<string> Schedules = Gen.Frequency(
        (4, Field.Array[0, 7].Select(fields => string.Join(' ', fields))),
        (1, Gen.String[0, 40]));

    private static readonly Gen<string?> Zones = Gen.OneOf<string?>(
        Gen.OneOf<string?>([null, "", "UTC", "Europe/Paris", "America/New_York", "Etc/GMT+14", "Etc/GMT+99", "../../etc/passwd", "Mars/Olympus", "Europe/Paris\0"]),
        Gen.String[0, 20].Select(s => (string?)s));

    [Fact]
    public void Every_schedule_string_parses_to_a_schedule_or_a_reason() =>
        Gen.Select(Schedules, Zones, Gen.DateTimeOffset).Sample((schedule, zone, after) =>
        {
            var parsed = TaskSchedule.Parse(schedule, zone, out var problem);
            if (parsed is null)
            {
                Assert.False(string.IsNullOrWhiteSpace(problem));
                Assert.StartsWith("spec.", problem, StringComparison.Ordinal);
                return;
            }
            Assert.Null(problem);
            var at = after.ToUniversalTime();
            if (at.Year is < 2 or > 9998) return;
            if (parsed.NextAfter(at) is { } next) Assert.True(next > at, $"{schedule}: next {next} is not after {at}");
        }, iter: 20_000);
}
