namespace Ops.Operator.Controllers.ScheduledTasks;

/// <summary>The condition types a ScheduledTask's status carries.</summary>
public static class TaskConditions
{
    /// <summary>True while runs are scheduled; False with InvalidSchedule or Suspended.</summary>
    public const string Scheduled = "Scheduled";

    /// <summary>True when more than 100 runs were missed and skipped.</summary>
    public const string MissedRuns = "MissedRuns";
}
