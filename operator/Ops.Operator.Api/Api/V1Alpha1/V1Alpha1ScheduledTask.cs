using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.Schema;

namespace Ops.Operator.Api.V1Alpha1;

/// <summary>Runs a DiagnosticCommand on a cron schedule, with CronJob semantics.</summary>
[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = "ScheduledTask", PluralName = "scheduledtasks")]
[ShortNames("stask")]
[PrinterColumn("SCHEDULE", ".spec.schedule")]
[PrinterColumn("TIMEZONE", ".spec.timeZone")]
[PrinterColumn("SUSPEND", ".spec.suspend", "boolean")]
[PrinterColumn("LAST SCHEDULE", ".status.lastScheduleTime", "date")]
[PrinterColumn("NEXT", ".status.nextScheduleTime")]
[PrinterColumn("AGE", ".metadata.creationTimestamp", "date")]
public sealed class V1Alpha1ScheduledTask() : CustomResource<V1Alpha1ScheduledTask.TaskSpec, V1Alpha1ScheduledTask.TaskStatus>(ApiGroup.ApiVersion, KindName)
{
    public const string KindName = "ScheduledTask";
    public const string Plural = "scheduledtasks";

    /// <summary>When to run (a cron schedule, with CronJob's concurrency, deadline and history rules) and what: a DiagnosticCommand template.</summary>
    public sealed class TaskSpec
    {
        /// <summary>Five-field cron schedule, as in a CronJob (for example "*/5 * * * *").</summary>
        [Required, MinLength(9), MaxLength(256)]
        [JsonPropertyName("schedule")] public string Schedule { get; set; } = "";

        /// <summary>IANA time zone of the schedule (for example Europe/Paris); the operator's UTC when absent.</summary>
        [MaxLength(64)]
        [JsonPropertyName("timeZone")] public string? TimeZone { get; set; }

        /// <summary>The default of <see cref="ConcurrencyPolicy"/>: runs may overlap, as with CronJob.</summary>
        public const string DefaultConcurrencyPolicy = "Allow";

        /// <summary>What to do when the previous run is still active: Allow, Forbid or Replace.</summary>
        [Default(DefaultConcurrencyPolicy), AllowedValues("Allow", "Forbid", "Replace")]
        [JsonPropertyName("concurrencyPolicy")] public string? ConcurrencyPolicy { get; set; }

        /// <summary><see cref="ConcurrencyPolicy"/>, or its default when absent.</summary>
        public string ConcurrencyPolicyOrDefault() => ConcurrencyPolicy ?? DefaultConcurrencyPolicy;

        /// <summary>A run that could not start within this many seconds of its time is counted missed.</summary>
        [Range(0, 31536000)]
        [JsonPropertyName("startingDeadlineSeconds")] public long? StartingDeadlineSeconds { get; set; }

        /// <summary>True stops future runs; running commands go on.</summary>
        [Default(false)]
        [JsonPropertyName("suspend")] public bool? Suspend { get; set; }

        /// <summary>The default of <see cref="SuccessfulHistoryLimit"/>: as with CronJob.</summary>
        public const int DefaultSuccessfulHistoryLimit = 3;

        /// <summary>How many finished runs that succeeded to keep; older ones are deleted.</summary>
        [Default(DefaultSuccessfulHistoryLimit), Range(0, 1000)]
        [JsonPropertyName("successfulHistoryLimit")] public int? SuccessfulHistoryLimit { get; set; }

        /// <summary><see cref="SuccessfulHistoryLimit"/>, or its default when absent.</summary>
        public int SuccessfulHistoryLimitOrDefault() => SuccessfulHistoryLimit ?? DefaultSuccessfulHistoryLimit;

        /// <summary>The default of <see cref="FailedHistoryLimit"/>: as with CronJob.</summary>
        public const int DefaultFailedHistoryLimit = 1;

        /// <summary>How many finished runs that failed to keep; older ones are deleted.</summary>
        [Default(DefaultFailedHistoryLimit), Range(0, 1000)]
        [JsonPropertyName("failedHistoryLimit")] public int? FailedHistoryLimit { get; set; }

        /// <summary><see cref="FailedHistoryLimit"/>, or its default when absent.</summary>
        public int FailedHistoryLimitOrDefault() => FailedHistoryLimit ?? DefaultFailedHistoryLimit;

        /// <summary>Each target's start is delayed by a stable offset within this window, so a fleet does not fire in one second.</summary>
        [Default(0), Range(0, 3600)]
        [JsonPropertyName("jitterSeconds")] public int? JitterSeconds { get; set; }

        /// <summary>The DiagnosticCommand created at each run.</summary>
        [Required]
        [JsonPropertyName("template")] public CommandTemplate Template { get; set; } = new();
    }

    public sealed class CommandTemplate
    {
        /// <summary>Labels and annotations given to each run.</summary>
        [JsonPropertyName("metadata")] public TemplateMetadata? Metadata { get; set; }

        /// <summary>The spec of each run's DiagnosticCommand.</summary>
        [Required, JsonPropertyName("spec")] public V1Alpha1DiagnosticCommand.CommandSpec Spec { get; set; } = new();
    }

    public sealed class TemplateMetadata
    {
        /// <summary>Labels added to each run.</summary>
        [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }

        /// <summary>Annotations added to each run.</summary>
        [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    }

    /// <summary>The runs: the last and next scheduled times, the runs still active, and conditions.</summary>
    public sealed class TaskStatus : IControllerStatus
    {
        /// <summary>The metadata.generation this status was written for.</summary>
        [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }

        /// <summary>The scheduled time of the last run started.</summary>
        [JsonPropertyName("lastScheduleTime")] public DateTime? LastScheduleTime { get; set; }

        /// <summary>When the last run that succeeded finished.</summary>
        [JsonPropertyName("lastSuccessfulTime")] public DateTime? LastSuccessfulTime { get; set; }

        /// <summary>The next time a run is due (absent while suspended).</summary>
        [JsonPropertyName("nextScheduleTime")] public DateTime? NextScheduleTime { get; set; }

        /// <summary>The commands of this task still running.</summary>
        [JsonPropertyName("active")] public List<ActiveCommand>? Active { get; set; }

        /// <summary>Scheduled (the schedule is valid, or why not) and MissedRuns, as metav1.Condition.</summary>
        [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }
    }

    public sealed class ActiveCommand
    {
        /// <summary>The run's DiagnosticCommand name.</summary>
        [Required, JsonPropertyName("name")] public string Name { get; set; } = "";

        /// <summary>The run's DiagnosticCommand uid.</summary>
        [JsonPropertyName("uid")] public string? Uid { get; set; }
    }
}
