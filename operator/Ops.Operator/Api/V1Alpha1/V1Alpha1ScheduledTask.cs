using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.Schema;

namespace Ops.Operator.Api.V1Alpha1;

[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = "ScheduledTask", PluralName = "scheduledtasks")]
[ShortNames("stask")]
[Description("Runs a DiagnosticCommand on a cron schedule, with CronJob semantics.")]
[PrinterColumn("SCHEDULE", ".spec.schedule")]
[PrinterColumn("TIMEZONE", ".spec.timeZone")]
[PrinterColumn("SUSPEND", ".spec.suspend", "boolean")]
[PrinterColumn("LAST SCHEDULE", ".status.lastScheduleTime", "date")]
[PrinterColumn("NEXT", ".status.nextScheduleTime")]
[PrinterColumn("AGE", ".metadata.creationTimestamp", "date")]
public sealed class V1Alpha1ScheduledTask : IKubernetesObject<V1ObjectMeta>, ISpec<V1Alpha1ScheduledTask.TaskSpec>, IStatus<V1Alpha1ScheduledTask.TaskStatus?>
{
    public const string KindName = "ScheduledTask";
    public const string Plural = "scheduledtasks";

    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = ApiGroup.ApiVersion;
    [JsonPropertyName("kind")] public string Kind { get; set; } = KindName;
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [Required, JsonPropertyName("spec")] public TaskSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public TaskStatus? Status { get; set; }

    public sealed class TaskSpec
    {
        [Required, MinLength(9), MaxLength(256)]
        [Description("Five-field cron schedule, as in a CronJob (for example \"*/5 * * * *\").")]
        [JsonPropertyName("schedule")] public string Schedule { get; set; } = "";

        [MaxLength(64)]
        [Description("IANA time zone of the schedule (for example Europe/Paris); the operator's UTC when absent.")]
        [JsonPropertyName("timeZone")] public string? TimeZone { get; set; }

        /// <summary>The default of <see cref="ConcurrencyPolicy"/>: runs may overlap, as with CronJob.</summary>
        public const string DefaultConcurrencyPolicy = "Allow";

        [Default(DefaultConcurrencyPolicy), AllowedValues("Allow", "Forbid", "Replace")]
        [Description("What to do when the previous run is still active: Allow, Forbid or Replace.")]
        [JsonPropertyName("concurrencyPolicy")] public string? ConcurrencyPolicy { get; set; }

        /// <summary><see cref="ConcurrencyPolicy"/>, or its default when absent.</summary>
        public string ConcurrencyPolicyOrDefault() => ConcurrencyPolicy ?? DefaultConcurrencyPolicy;

        [Range(0, 31536000)]
        [Description("A run that could not start within this many seconds of its time is counted missed.")]
        [JsonPropertyName("startingDeadlineSeconds")] public long? StartingDeadlineSeconds { get; set; }

        [Default(false)]
        [Description("True stops future runs; running commands go on.")]
        [JsonPropertyName("suspend")] public bool? Suspend { get; set; }

        /// <summary>The default of <see cref="SuccessfulHistoryLimit"/>: as with CronJob.</summary>
        public const int DefaultSuccessfulHistoryLimit = 3;

        [Default(DefaultSuccessfulHistoryLimit), Range(0, 1000)]
        [JsonPropertyName("successfulHistoryLimit")] public int? SuccessfulHistoryLimit { get; set; }

        /// <summary><see cref="SuccessfulHistoryLimit"/>, or its default when absent.</summary>
        public int SuccessfulHistoryLimitOrDefault() => SuccessfulHistoryLimit ?? DefaultSuccessfulHistoryLimit;

        /// <summary>The default of <see cref="FailedHistoryLimit"/>: as with CronJob.</summary>
        public const int DefaultFailedHistoryLimit = 1;

        [Default(DefaultFailedHistoryLimit), Range(0, 1000)]
        [JsonPropertyName("failedHistoryLimit")] public int? FailedHistoryLimit { get; set; }

        /// <summary><see cref="FailedHistoryLimit"/>, or its default when absent.</summary>
        public int FailedHistoryLimitOrDefault() => FailedHistoryLimit ?? DefaultFailedHistoryLimit;

        [Default(0), Range(0, 3600)]
        [Description("Each target's start is delayed by a stable offset within this window, so a fleet does not fire in one second.")]
        [JsonPropertyName("jitterSeconds")] public int? JitterSeconds { get; set; }

        [Required]
        [Description("The DiagnosticCommand created at each run.")]
        [JsonPropertyName("template")] public CommandTemplate Template { get; set; } = new();
    }

    public sealed class CommandTemplate
    {
        [JsonPropertyName("metadata")] public TemplateMetadata? Metadata { get; set; }
        [Required, JsonPropertyName("spec")] public V1Alpha1DiagnosticCommand.CommandSpec Spec { get; set; } = new();
    }

    public sealed class TemplateMetadata
    {
        [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }
        [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    }

    public sealed class TaskStatus : IControllerStatus
    {
        [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }
        [JsonPropertyName("lastScheduleTime")] public DateTime? LastScheduleTime { get; set; }
        [JsonPropertyName("lastSuccessfulTime")] public DateTime? LastSuccessfulTime { get; set; }
        [JsonPropertyName("nextScheduleTime")] public DateTime? NextScheduleTime { get; set; }

        [Description("The commands of this task still running.")]
        [JsonPropertyName("active")] public List<ActiveCommand>? Active { get; set; }

        [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }
    }

    public sealed class ActiveCommand
    {
        [Required, JsonPropertyName("name")] public string Name { get; set; } = "";
        [JsonPropertyName("uid")] public string? Uid { get; set; }
    }
}
