namespace Ops.ControllerRuntime.Controllers;

/// <summary>What a reconcile asks for next: nothing, or another look after a delay (timeouts, TTLs, schedules).</summary>
public readonly record struct ReconcileResult(TimeSpan? RequeueAfter)
{
    public static readonly ReconcileResult Done = new(null);

    public static ReconcileResult After(TimeSpan delay) => new(delay);
}
