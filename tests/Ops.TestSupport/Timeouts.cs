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

    // No "quiet" wait: a test shows that something does NOT happen with a barrier (a later event it waits for, or
    // SandboxServer.SettledAsync), never by sleeping and hoping the machine was fast enough.
}
