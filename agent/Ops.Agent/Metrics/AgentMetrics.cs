using Prometheus;

namespace Ops.Agent.Metrics;

/// <summary>
/// The agent's Prometheus registry (its own, not the process-wide default) and its metrics, named as in
/// the design; served over plain HTTP on Agent:MetricsPort, apart from the mTLS gRPC port.
/// </summary>
public sealed class AgentMetrics
{
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public Counter Executions { get; }
    public Histogram ExecutionDuration { get; }
    public Gauge InFlight { get; }

    public AgentMetrics(Microsoft.Extensions.Options.IOptions<Hosting.AgentOptions> options, Artifacts.ArtifactStore artifacts)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Executions = factory.CreateCounter("ops_agent_executions_total", "Executions run by this agent, by action and result (succeeded, failed, cancelled).", new CounterConfiguration { LabelNames = ["action", "result"] });
        ExecutionDuration = factory.CreateHistogram("ops_agent_execution_duration_seconds", "Time an execution took, start delay excluded.", new HistogramConfiguration { LabelNames = ["action"], Buckets = DurationBuckets });
        InFlight = factory.CreateGauge("ops_agent_inflight", "Executions running now, by action.", new GaugeConfiguration { LabelNames = ["action"] });
        var artifactBytes = factory.CreateGauge("ops_agent_artifact_bytes", "Bytes of artifacts kept on this node (against the Agent:Artifacts budget).");
        factory.CreateGauge("ops_agent_build_info", "1, labelled with the agent's version.", new GaugeConfiguration { LabelNames = ["version"] }).WithLabels(options.Value.Version).Set(1);
        Registry.AddBeforeCollectCallback(() => artifactBytes.Set(artifacts.UsedBytes));
        // The process's memory, CPU, threads, open files and GC (process_*, dotnet_*): an agent runs on every node, under a memory limit.
        DotNetStats.Register(Registry);
    }

    public Task ExportAsync(Stream output, CancellationToken cancellationToken) => Registry.CollectAndExportAsTextAsync(output, cancellationToken);
}
