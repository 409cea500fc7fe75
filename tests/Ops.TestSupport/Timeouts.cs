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

    /// <summary>How long to wait to be sure something does NOT happen.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);
}
