using Prometheus;

namespace Ops.Operator.Metrics;

/// <summary>
/// The operator's Prometheus registry (its own, not prometheus-net's process-wide default, so two
/// operators in one test process do not share counters) and the metrics every part records into,
/// named as in the design. Served on /metrics.
/// </summary>
public sealed class OperatorMetrics
{
    /// <summary>Seconds buckets from 5 ms to 10 min: reconciles are fast, commands and traces are not.</summary>
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public IMetricFactory Factory => Prometheus.Metrics.WithCustomRegistry(Registry);

    public Counter Reconciles { get; }
    public Histogram ReconcileDuration { get; }
    public Gauge WorkqueueDepth { get; }
    public Gauge WorkqueueWaiting { get; }
    public Counter Commands { get; }
    public Histogram CommandDuration { get; }
    public Counter CommandsRefusedByPolicy { get; }
    public Counter TriggerFired { get; }
    public Counter TriggerWithheld { get; }
    public Histogram AgentRpcDuration { get; }
    public Gauge Leader { get; }

    public OperatorMetrics()
    {
        var factory = Factory;
        Reconciles = factory.CreateCounter("ops_reconcile_total", "Reconciles by kind and result (success, error).", new CounterConfiguration { LabelNames = ["kind", "result"] });
        ReconcileDuration = factory.CreateHistogram("ops_reconcile_duration_seconds", "Time one reconcile took.", new HistogramConfiguration { LabelNames = ["kind"], Buckets = DurationBuckets });
        WorkqueueDepth = factory.CreateGauge("ops_workqueue_depth", "Keys waiting in a controller's work queue.", new GaugeConfiguration { LabelNames = ["kind"] });
        WorkqueueWaiting = factory.CreateGauge("ops_workqueue_waiting", "Keys waiting to come back to a controller's work queue at a time of their own (requeue after, backoff).", new GaugeConfiguration { LabelNames = ["kind"] });
        Commands = factory.CreateCounter("ops_commands_total", "DiagnosticCommands finished, by action and final phase.", new CounterConfiguration { LabelNames = ["action", "phase"] });
        CommandDuration = factory.CreateHistogram("ops_command_duration_seconds", "Time from a DiagnosticCommand's start to its final phase.", new HistogramConfiguration { LabelNames = ["action"], Buckets = DurationBuckets });
        CommandsRefusedByPolicy = factory.CreateCounter("ops_commands_refused_by_policy_total", "DiagnosticCommands a DiagnosticPolicy refused, by the rule that refused them.", new CounterConfiguration { LabelNames = ["rule"] });
        TriggerFired = factory.CreateCounter("ops_trigger_fired_total", "Commands DiagnosticTriggers started, by condition kind.", new CounterConfiguration { LabelNames = ["condition"] });
        TriggerWithheld = factory.CreateCounter("ops_trigger_withheld_total", "Crossings a DiagnosticTrigger's limits held back, by the limit (Cooldown, MaxActionsPerPod, MaxActions, OperatorBudget).", new CounterConfiguration { LabelNames = ["reason"] });
        AgentRpcDuration = factory.CreateHistogram("ops_agent_rpc_duration_seconds", "Calls to agents, by gRPC method and status code.", new HistogramConfiguration { LabelNames = ["method", "code"], Buckets = DurationBuckets });
        Leader = factory.CreateGauge("ops_leader", "1 while this replica leads (runs the controllers), else 0.");
        // The process's memory, CPU, threads and GC (process_*, dotnet_*): what a memory limit and the scale figures are judged by.
        DotNetStats.Register(Registry);
    }

    public Task ExportAsync(Stream output, CancellationToken cancellationToken) => Registry.CollectAndExportAsTextAsync(output, cancellationToken);
}
