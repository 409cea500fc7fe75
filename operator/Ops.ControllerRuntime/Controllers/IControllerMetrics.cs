namespace Ops.ControllerRuntime.Controllers;

/// <summary>
/// Where a controller reports its reconciles and its queue; the application decides the metric names
/// and the registry (the runtime knows no metrics library).
/// </summary>
public interface IControllerMetrics
{
    /// <summary>One reconcile of <paramref name="kind"/> ended, successfully or not, after <paramref name="duration"/>.</summary>
    void ReconcileFinished(string kind, bool succeeded, TimeSpan duration);

    /// <summary>Called once per controller: <paramref name="read"/> gives the queue's keys ready now and those waiting for a time of their own.</summary>
    void ObserveQueue(string kind, Func<(int Depth, int Waiting)> read);
}
