using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.Schema;

namespace Ops.Operator.Api.V1Alpha1;

/// <summary>
/// Runs a DiagnosticCommand against a pod of its namespace when a condition on the pod becomes true (a container
/// restarts, readiness is lost), within limits on how often; says per pod why it is not firing.
/// </summary>
[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = "DiagnosticTrigger", PluralName = "diagnostictriggers")]
[ShortNames("dtrig")]
[PrinterColumn("CONDITION", ".status.conditionSummary")]
[PrinterColumn("ACTION", ".spec.action.action")]
[PrinterColumn("PODS", ".status.totals.pods", "integer")]
[PrinterColumn("FIRED", ".status.totals.fired", "integer")]
[PrinterColumn("LAST FIRED", ".status.lastFiredTime", "date")]
[PrinterColumn("AGE", ".metadata.creationTimestamp", "date")]
public sealed partial class V1Alpha1DiagnosticTrigger() : CustomResource<V1Alpha1DiagnosticTrigger.TriggerSpec, V1Alpha1DiagnosticTrigger.TriggerStatus>(ApiGroup.ApiVersion, KindName)
{
    public const string KindName = "DiagnosticTrigger";
    public const string Plural = "diagnostictriggers";

    /// <summary>Which pods to watch, what to watch for, what to run against the pod that fires, and how often at most.</summary>
    public sealed class TriggerSpec
    {
        /// <summary>The pods of the trigger's namespace to watch, by selector, and the container.</summary>
        [Required]
        [JsonPropertyName("target")] public V1Alpha1DiagnosticCommand.PodTarget Target { get; set; } = new();

        /// <summary>What makes a pod fire: exactly one condition.</summary>
        [Required]
        [JsonPropertyName("condition")] public TriggerCondition Condition { get; set; } = new();

        /// <summary>The command run against the pod and container that fired.</summary>
        [Required]
        [JsonPropertyName("action")] public TriggerAction Action { get; set; } = new();

        /// <summary>How often the trigger may fire; it fires at most this often whatever the pods do.</summary>
        [JsonPropertyName("limits")] public TriggerLimits? Limits { get; set; }

        /// <summary>True stops firing; the pods are still watched and their state shown.</summary>
        [Default(false)]
        [JsonPropertyName("suspend")] public bool? Suspend { get; set; }

        /// <summary>How many finished commands that succeeded to keep; older ones are deleted.</summary>
        [Default(V1Alpha1ScheduledTask.TaskSpec.DefaultSuccessfulHistoryLimit), Range(0, 1000)]
        [JsonPropertyName("successfulHistoryLimit")] public int? SuccessfulHistoryLimit { get; set; }

        /// <summary><see cref="SuccessfulHistoryLimit"/>, or its default when absent.</summary>
        public int SuccessfulHistoryLimitOrDefault() => SuccessfulHistoryLimit ?? V1Alpha1ScheduledTask.TaskSpec.DefaultSuccessfulHistoryLimit;

        /// <summary>How many finished commands that failed to keep; older ones are deleted.</summary>
        [Default(V1Alpha1ScheduledTask.TaskSpec.DefaultFailedHistoryLimit), Range(0, 1000)]
        [JsonPropertyName("failedHistoryLimit")] public int? FailedHistoryLimit { get; set; }

        /// <summary><see cref="FailedHistoryLimit"/>, or its default when absent.</summary>
        public int FailedHistoryLimitOrDefault() => FailedHistoryLimit ?? V1Alpha1ScheduledTask.TaskSpec.DefaultFailedHistoryLimit;
    }

    public sealed class TriggerCondition
    {
        /// <summary>A System.Runtime counter of the pod's .NET process crossed a threshold for forSeconds, judged on its node by the agent.</summary>
        [JsonPropertyName("counter")] public CounterCondition? Counter { get; set; }

        /// <summary>A container of the pod restarted (its restart count went up after the trigger was created).</summary>
        [JsonPropertyName("containerRestarted")] public ContainerRestarted? ContainerRestarted { get; set; }

        /// <summary>The pod stayed not Ready, while running, for forSeconds.</summary>
        [JsonPropertyName("readinessLost")] public ReadinessLost? ReadinessLost { get; set; }
    }

    public sealed class CounterCondition
    {
        /// <summary>The counter (System.Runtime, as dotnet-counters names them); rate counters such as exception-count are per second.</summary>
        [Required, AllowedValues("cpu-usage", "working-set", "gc-heap-size", "gen-0-gc-count", "gen-1-gc-count", "gen-2-gc-count", "threadpool-thread-count",
            "monitor-lock-contention-count", "threadpool-queue-length", "threadpool-completed-items-count", "alloc-rate", "active-timer-count", "gc-fragmentation",
            "gc-committed", "exception-count", "time-in-gc", "gen-0-size", "gen-1-size", "gen-2-size", "loh-size", "poh-size", "assembly-count", "il-bytes-jitted",
            "methods-jitted-count", "time-in-jit")]
        [JsonPropertyName("name")] public string Name { get; set; } = "";

        /// <summary>above: the value is greater than the threshold; below: it is less.</summary>
        [Default("above"), AllowedValues("above", "below")]
        [JsonPropertyName("operator")] public string? Operator { get; set; }

        /// <summary><see cref="Operator"/> is above, or absent.</summary>
        public bool IsAbove => Operator is null or "above";

        /// <summary>The threshold, in the counter's unit (% for cpu-usage and time-in-gc, MB for working-set and gc-heap-size, a count or a count per second for the others).</summary>
        [Required, Range(0, long.MaxValue)]
        [JsonPropertyName("threshold")] public long Threshold { get; set; }

        /// <summary>The default of <see cref="ForSeconds"/>.</summary>
        public const int DefaultForSeconds = 15;

        /// <summary>How long the value must stay across the threshold before the pod fires.</summary>
        [Default(DefaultForSeconds), Range(0, 86400)]
        [JsonPropertyName("forSeconds")] public int? ForSeconds { get; set; }

        /// <summary>The default of <see cref="IntervalSeconds"/>.</summary>
        public const int DefaultIntervalSeconds = 5;

        /// <summary>How often the process publishes its counters to the agent.</summary>
        [Default(DefaultIntervalSeconds), Range(1, 60)]
        [JsonPropertyName("intervalSeconds")] public int? IntervalSeconds { get; set; }
    }

    public sealed class ContainerRestarted
    {
        /// <summary>Only restarts whose last termination had this reason (OOMKilled, Error, ...); any restart when absent.</summary>
        [MaxLength(128)]
        [JsonPropertyName("reason")] public string? Reason { get; set; }
    }

    public sealed class ReadinessLost
    {
        /// <summary>The default of <see cref="ForSeconds"/>.</summary>
        public const int DefaultForSeconds = 30;

        /// <summary>How long the pod must stay not Ready before it fires.</summary>
        [Default(DefaultForSeconds), Range(0, 86400)]
        [JsonPropertyName("forSeconds")] public int? ForSeconds { get; set; }

        /// <summary><see cref="ForSeconds"/>, or its default when absent.</summary>
        public int ForSecondsOrDefault() => ForSeconds ?? DefaultForSeconds;
    }

    public sealed class TriggerAction
    {
        /// <summary>The action to run, from the agent's action catalogue (dotnet.stacks, dotnet.dump, log.grep, ...).</summary>
        [Required, RegularExpression(Patterns.ActionName), MaxLength(63)]
        [JsonPropertyName("action")] public string Action { get; set; } = "";

        /// <summary>Parameters of the action, validated per action.</summary>
        [MapValueMaxLength(4096)]
        [JsonPropertyName("parameters")] public Dictionary<string, string>? Parameters { get; set; }

        /// <summary>Time allowed for the action, in seconds.</summary>
        [Default(V1Alpha1DiagnosticCommand.CommandSpec.DefaultTimeoutSeconds), Range(1, 86400)]
        [JsonPropertyName("timeoutSeconds")] public int? TimeoutSeconds { get; set; }

        /// <summary>Seconds after a command finishes when it (and its outputs) is deleted.</summary>
        [Default(V1Alpha1DiagnosticCommand.CommandSpec.DefaultTtlSecondsAfterFinished), Range(0, 31536000)]
        [JsonPropertyName("ttlSecondsAfterFinished")] public int? TtlSecondsAfterFinished { get; set; }
    }

    public sealed class TriggerLimits
    {
        /// <summary>The default of <see cref="MaxActions"/>.</summary>
        public const int DefaultMaxActions = 3;

        /// <summary>Commands the whole trigger may start within windowSeconds (a sliding window; failed and timed-out ones count).</summary>
        [Default(DefaultMaxActions), Range(1, 100)]
        [JsonPropertyName("maxActions")] public int? MaxActions { get; set; }

        /// <summary>The default of <see cref="MaxActionsPerPod"/>.</summary>
        public const int DefaultMaxActionsPerPod = 1;

        /// <summary>Commands one pod may cause within windowSeconds.</summary>
        [Default(DefaultMaxActionsPerPod), Range(1, 100)]
        [JsonPropertyName("maxActionsPerPod")] public int? MaxActionsPerPod { get; set; }

        /// <summary>The default of <see cref="WindowSeconds"/>: an hour.</summary>
        public const int DefaultWindowSeconds = 3600;

        /// <summary>The sliding window the action counts are over, in seconds.</summary>
        [Default(DefaultWindowSeconds), Range(60, 604800)]
        [JsonPropertyName("windowSeconds")] public int? WindowSeconds { get; set; }

        /// <summary>The default of <see cref="CooldownSeconds"/>: ten minutes.</summary>
        public const int DefaultCooldownSeconds = 600;

        /// <summary>After a pod fired, how long before it may fire again.</summary>
        [Default(DefaultCooldownSeconds), Range(0, 604800)]
        [JsonPropertyName("cooldownSeconds")] public int? CooldownSeconds { get; set; }

        /// <summary>Seconds after its creation when the trigger retires itself (fires no more); never when absent.</summary>
        [Range(60, 31536000)]
        [JsonPropertyName("expireAfterSeconds")] public int? ExpireAfterSeconds { get; set; }
    }
}
