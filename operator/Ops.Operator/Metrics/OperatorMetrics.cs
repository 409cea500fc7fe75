using Prometheus;

namespace Ops.Operator.Metrics;

/// <summary>
/// The operator's own Prometheus registry (not prometheus-net's process-wide default, so two operators
/// in one test process do not share counters), served on /metrics.
/// </summary>
public sealed class OperatorMetrics
{
    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public IMetricFactory Factory => Prometheus.Metrics.WithCustomRegistry(Registry);

    public Task ExportAsync(Stream output, CancellationToken cancellationToken) => Registry.CollectAndExportAsTextAsync(output, cancellationToken);
}
