namespace Ops.TestSupport;

/// <summary>Every wait in the tests, in one place, generous enough for a loaded 2-core CI machine.</summary>
public static class Timeouts
{
    /// <summary>Something the system does on its own (garbage collection, a controller reacting).</summary>
    public static readonly TimeSpan Eventually = TimeSpan.FromSeconds(20);

    /// <summary>One watch event expected to arrive.</summary>
    public static readonly TimeSpan WatchEvent = TimeSpan.FromSeconds(10);

    /// <summary>One kubectl invocation.</summary>
    public static readonly TimeSpan Kubectl = TimeSpan.FromSeconds(60);

    /// <summary>A command of quick actions on a few targets of the demo cluster, from creation to completion.</summary>
    public static readonly TimeSpan Command = TimeSpan.FromSeconds(60);

    /// <summary>A command that takes longer: .NET captures, hundreds of targets, a probe during a rollout.</summary>
    public static readonly TimeSpan SlowCommand = TimeSpan.FromMinutes(3);

    /// <summary>A command that must ride out a fault (a leader change, an API outage, a killed agent) before it completes.</summary>
    public static readonly TimeSpan CommandThroughFault = TimeSpan.FromSeconds(90);

    /// <summary>A scheduled task's first run: up to a minute to its cron time, then the run itself.</summary>
    public static readonly TimeSpan ScheduledRun = TimeSpan.FromMinutes(2);

    /// <summary>A cluster starting (sandbox, operator, agents, workload pods) or a rollout over its fleet.</summary>
    public static readonly TimeSpan ClusterStart = TimeSpan.FromMinutes(4);

    /// <summary>A process going or coming back: the demo exiting, an operator restarted, another replica leading.</summary>
    public static readonly TimeSpan ProcessTurnover = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a rollout test watches a paused rollout to see that it does not move. The one quiet wait: a
    /// controller that stays still sends no event to wait for, so this can only show nothing moved meanwhile.
    /// Everything else shows that something does NOT happen with a barrier (a later event it waits for, or
    /// SandboxServer.SettledAsync), never by sleeping and hoping the machine was fast enough.
    /// </summary>
    public static readonly TimeSpan StaysStill = TimeSpan.FromSeconds(3);
}
