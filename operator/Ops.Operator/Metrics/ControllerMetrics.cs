using Ops.ControllerRuntime.Controllers;

namespace Ops.Operator.Metrics;

/// <summary>The controller runtime's reconciles and queues, recorded as the design's ops_reconcile_* and ops_workqueue_* metrics.</summary>
public sealed class ControllerMetrics(OperatorMetrics metrics) : IControllerMetrics
{
    public void ReconcileFinished(string kind, bool succeeded, TimeSpan duration)
    {
        metrics.Reconciles.WithLabels(kind, succeeded ? "success" : "error").Inc();
        metrics.ReconcileDuration.WithLabels(kind).Observe(duration.TotalSeconds);
    }

    public void ObserveQueue(string kind, Func<(int Depth, int Waiting)> read) => metrics.Registry.AddBeforeCollectCallback(() =>
    {
        var (depth, waiting) = read();
        metrics.WorkqueueDepth.WithLabels(kind).Set(depth);
        metrics.WorkqueueWaiting.WithLabels(kind).Set(waiting);
    });
}
