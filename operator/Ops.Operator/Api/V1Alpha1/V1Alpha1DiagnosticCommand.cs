using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.Schema;

namespace Ops.Operator.Api.V1Alpha1;

[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = "DiagnosticCommand", PluralName = "diagnosticcommands")]
[ShortNames("dcmd")]
[Description("Runs one diagnostic action against the pods of an application or against nodes; results land in status.")]
[PrinterColumn("ACTION", ".spec.action")]
[PrinterColumn("PHASE", ".status.phase")]
[PrinterColumn("TARGETS", ".status.targets.total", "integer")]
[PrinterColumn("SUCCEEDED", ".status.targets.succeeded", "integer")]
[PrinterColumn("FAILED", ".status.targets.failed", "integer")]
[PrinterColumn("AGE", ".metadata.creationTimestamp", "date")]
public sealed class V1Alpha1DiagnosticCommand : IKubernetesObject<V1ObjectMeta>, ISpec<V1Alpha1DiagnosticCommand.CommandSpec>, IStatus<V1Alpha1DiagnosticCommand.CommandStatus?>
{
    public const string KindName = "DiagnosticCommand";
    public const string Plural = "diagnosticcommands";

    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = ApiGroup.ApiVersion;
    [JsonPropertyName("kind")] public string Kind { get; set; } = KindName;
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [Required, JsonPropertyName("spec")] public CommandSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public CommandStatus? Status { get; set; }

    public sealed class CommandSpec
    {
        [Required, RegularExpression(Patterns.ActionName), MaxLength(63)]
        [Description("The action to run, from the agent's action catalogue (processes, log.grep, dotnet.stacks, ...).")]
        [JsonPropertyName("action")] public string Action { get; set; } = "";

        [MapValueMaxLength(4096)]
        [Description("Parameters of the action, validated per action.")]
        [JsonPropertyName("parameters")] public Dictionary<string, string>? Parameters { get; set; }

        [Required]
        [Description("What to run the action against: pods of this namespace, or nodes.")]
        [JsonPropertyName("target")] public TargetSpec Target { get; set; } = new();

        /// <summary>The default of <see cref="TimeoutSeconds"/>: a minute for each target.</summary>
        public const int DefaultTimeoutSeconds = 60;

        [Default(DefaultTimeoutSeconds), Range(1, 86400)]
        [Description("Time allowed for each target, in seconds.")]
        [JsonPropertyName("timeoutSeconds")] public int? TimeoutSeconds { get; set; }

        /// <summary><see cref="TimeoutSeconds"/>, or its default when absent.</summary>
        public int TimeoutSecondsOrDefault() => TimeoutSeconds ?? DefaultTimeoutSeconds;

        /// <summary>The default of <see cref="Parallelism"/>: a hundred targets at once.</summary>
        public const int DefaultParallelism = 100;

        [Default(DefaultParallelism), Range(1, 10000)]
        [Description("How many targets run at once.")]
        [JsonPropertyName("parallelism")] public int? Parallelism { get; set; }

        /// <summary><see cref="Parallelism"/>, or its default when absent.</summary>
        public int ParallelismOrDefault() => Parallelism ?? DefaultParallelism;

        /// <summary>The default of <see cref="TtlSecondsAfterFinished"/>: a day.</summary>
        public const int DefaultTtlSecondsAfterFinished = 86400;

        [Default(DefaultTtlSecondsAfterFinished), Range(0, 31536000)]
        [Description("Seconds after completion when the command (and its outputs) is deleted.")]
        [JsonPropertyName("ttlSecondsAfterFinished")] public int? TtlSecondsAfterFinished { get; set; }

        /// <summary><see cref="TtlSecondsAfterFinished"/>, or its default when absent.</summary>
        public int TtlSecondsAfterFinishedOrDefault() => TtlSecondsAfterFinished ?? DefaultTtlSecondsAfterFinished;

        [Default(false)]
        [Description("Set to true to cancel the targets still running.")]
        [JsonPropertyName("cancel")] public bool? Cancel { get; set; }
    }

    public sealed class TargetSpec
    {
        [Description("Pods of the command's own namespace.")]
        [JsonPropertyName("pods")] public PodTarget? Pods { get; set; }

        [Description("Nodes, for node-level actions; allowed only from namespaces the operator permits.")]
        [JsonPropertyName("nodes")] public NodeTarget? Nodes { get; set; }

        [Description("Which of the matched targets to run on.")]
        [JsonPropertyName("sample")] public SampleSpec? Sample { get; set; }
    }

    public sealed class PodTarget
    {
        [Required]
        [Description("Selects the pods by label, in the command's namespace.")]
        [JsonPropertyName("selector")] public V1LabelSelector Selector { get; set; } = new();

        [RegularExpression(Patterns.DnsLabel), MaxLength(63)]
        [Description("The container; every container when absent.")]
        [JsonPropertyName("container")] public string? Container { get; set; }

        [Description("The process inside the container; the main process when absent.")]
        [JsonPropertyName("process")] public ProcessSelector? Process { get; set; }
    }

    public sealed class ProcessSelector
    {
        [Range(1, int.MaxValue)]
        [Description("Process id as seen inside the container.")]
        [JsonPropertyName("pid")] public int? Pid { get; set; }

        [MaxLength(256)]
        [Description("Regular expression matched against the process name.")]
        [JsonPropertyName("name")] public string? Name { get; set; }

        [Range(1, 65535)]
        [Description("The process listening on this TCP port.")]
        [JsonPropertyName("port")] public int? Port { get; set; }
    }

    public sealed class NodeTarget
    {
        [Description("Selects nodes by label.")]
        [JsonPropertyName("selector")] public V1LabelSelector? Selector { get; set; }

        [Description("Nodes by name.")]
        [JsonPropertyName("names")] public List<string>? Names { get; set; }
    }

    public sealed class SampleSpec
    {
        /// <summary>The default of <see cref="Mode"/>: every matched target.</summary>
        public const string DefaultMode = "all";

        [Default(DefaultMode), AllowedValues("all", "one", "fixed", "percent")]
        [Description("all, one, fixed (value targets) or percent (value percent of targets).")]
        [JsonPropertyName("mode")] public string? Mode { get; set; }

        [Range(0, 100000)]
        [Description("The count for fixed, the percentage for percent.")]
        [JsonPropertyName("value")] public int? Value { get; set; }
    }

    public sealed class CommandStatus : IControllerStatus
    {
        [AllowedValues(CommandPhase.Pending, CommandPhase.Running, CommandPhase.Succeeded, CommandPhase.PartiallyFailed, CommandPhase.Failed, CommandPhase.Cancelled)]
        [JsonPropertyName("phase")] public string? Phase { get; set; }

        [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }
        [JsonPropertyName("startTime")] public DateTime? StartTime { get; set; }
        [JsonPropertyName("completionTime")] public DateTime? CompletionTime { get; set; }
        [JsonPropertyName("targets")] public TargetCounts? Targets { get; set; }

        [Description("Per-target results, failures first, bounded in number; full outputs are in the objects named by resultRef.")]
        [JsonPropertyName("results")] public List<TargetResult>? Results { get; set; }

        [Description("How many results were left out of the list above to keep the object small.")]
        [JsonPropertyName("omittedResults")] public int? OmittedResults { get; set; }

        [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }
    }

    public sealed class TargetCounts
    {
        [JsonPropertyName("total")] public int Total { get; set; }
        [JsonPropertyName("pending")] public int Pending { get; set; }
        [JsonPropertyName("running")] public int Running { get; set; }
        [JsonPropertyName("succeeded")] public int Succeeded { get; set; }
        [JsonPropertyName("failed")] public int Failed { get; set; }
    }

    public sealed class TargetResult
    {
        [Required, JsonPropertyName("target")] public TargetRef Target { get; set; } = new();
        [JsonPropertyName("phase")] public string? Phase { get; set; }
        [JsonPropertyName("exitCode")] public int? ExitCode { get; set; }
        [JsonPropertyName("durationMs")] public long? DurationMs { get; set; }

        [Description("The first KiB of the output.")]
        [JsonPropertyName("summary")] public string? Summary { get; set; }

        [Description("Why the target failed, when it did.")]
        [JsonPropertyName("message")] public string? Message { get; set; }

        [Description("The object holding the full output.")]
        [JsonPropertyName("resultRef")] public string? ResultRef { get; set; }

        [Description("True when the full output was cut at its size cap.")]
        [JsonPropertyName("truncated")] public bool? Truncated { get; set; }

        [JsonPropertyName("artifacts")] public List<ArtifactRef>? Artifacts { get; set; }
    }

    public sealed class TargetRef
    {
        [JsonPropertyName("pod")] public string? Pod { get; set; }
        [JsonPropertyName("container")] public string? Container { get; set; }
        [JsonPropertyName("node")] public string? Node { get; set; }
        [JsonPropertyName("pid")] public int? Pid { get; set; }
    }

    public sealed class ArtifactRef
    {
        [Required, JsonPropertyName("name")] public string Name { get; set; } = "";
        [JsonPropertyName("node")] public string? Node { get; set; }
        [JsonPropertyName("sizeBytes")] public long? SizeBytes { get; set; }
        [JsonPropertyName("sha256")] public string? Sha256 { get; set; }
    }
}
