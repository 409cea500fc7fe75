using System.ComponentModel.DataAnnotations;

namespace Ops.ControllerRuntime.Controllers;

/// <summary>How one controller runs its reconciles.</summary>
public sealed record ControllerOptions
{
    /// <summary>Reconciles in flight at once (different keys; one key is never reconciled twice at once).</summary>
    [Range(1, 1000)] public int Concurrency { get; init; } = 4;

    /// <summary>First retry delay after a failed reconcile; doubles per failure of the same key.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Overall rate of retries, so a burst of failures does not hammer the API server.</summary>
    public double RetriesPerSecond { get; init; } = 20;

    /// <summary>
    /// Annotations whose change triggers a reconcile as a spec change does (an approval given with
    /// kubectl annotate); other metadata and status changes do not.
    /// </summary>
    public IReadOnlyList<string> TriggerAnnotations { get; init; } = [];

    /// <summary>Where reconciles are counted and timed, and the queue depth shown; null records nothing.</summary>
    public IControllerMetrics? Metrics { get; init; }
}
