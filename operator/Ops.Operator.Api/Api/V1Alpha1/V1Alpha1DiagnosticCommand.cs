using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.Schema;

namespace Ops.Operator.Api.V1Alpha1;

/// <summary>Runs one diagnostic action against the pods of an application or against nodes; results land in status.</summary>
[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = "DiagnosticCommand", PluralName = "diagnosticcommands")]
[ShortNames("dcmd")]
[PrinterColumn("ACTION", ".spec.action")]
[PrinterColumn("PHASE", ".status.phase")]
[PrinterColumn("TARGETS", ".status.targets.total", "integer")]
[PrinterColumn("SUCCEEDED", ".status.targets.succeeded", "integer")]
[PrinterColumn("FAILED", ".status.targets.failed", "integer")]
[PrinterColumn("AGE", ".metadata.creationTimestamp", "date")]
public sealed partial class V1Alpha1DiagnosticCommand() : CustomResource<V1Alpha1DiagnosticCommand.CommandSpec, V1Alpha1DiagnosticCommand.CommandStatus>(ApiGroup.ApiVersion, KindName)
{
    public const string KindName = "DiagnosticCommand";
    public const string Plural = "diagnosticcommands";

    /// <summary>What to run and where: the action, its parameters, the targets, and limits on time and parallelism.</summary>
    public sealed class CommandSpec
    {
        /// <summary>The action to run, from the agent's action catalogue (processes, log.grep, dotnet.stacks, ...).</summary>
        [Required, RegularExpression(Patterns.ActionName), MaxLength(63)]
        [JsonPropertyName("action")] public string Action { get; set; } = "";

        /// <summary>Parameters of the action, validated per action.</summary>
        [MapValueMaxLength(4096)]
        [JsonPropertyName("parameters")] public Dictionary<string, string>? Parameters { get; set; }

        /// <summary>What to run the action against: pods of this namespace, or nodes.</summary>
        [Required]
        [JsonPropertyName("target")] public TargetSpec Target { get; set; } = new();

        /// <summary>The default of <see cref="TimeoutSeconds"/>: a minute for each target.</summary>
        public const int DefaultTimeoutSeconds = 60;

        /// <summary>Time allowed for each target, in seconds.</summary>
        [Default(DefaultTimeoutSeconds), Range(1, 86400)]
        [JsonPropertyName("timeoutSeconds")] public int? TimeoutSeconds { get; set; }

        /// <summary><see cref="TimeoutSeconds"/>, or its default when absent.</summary>
        public int TimeoutSecondsOrDefault() => TimeoutSeconds ?? DefaultTimeoutSeconds;

        /// <summary>The default of <see cref="Parallelism"/>: a hundred targets at once.</summary>
        public const int DefaultParallelism = 100;

        /// <summary>How many targets run at once.</summary>
        [Default(DefaultParallelism), Range(1, 10000)]
        [JsonPropertyName("parallelism")] public int? Parallelism { get; set; }

        /// <summary><see cref="Parallelism"/>, or its default when absent.</summary>
        public int ParallelismOrDefault() => Parallelism ?? DefaultParallelism;

        /// <summary>The default of <see cref="TtlSecondsAfterFinished"/>: a day.</summary>
        public const int DefaultTtlSecondsAfterFinished = 86400;

        /// <summary>Seconds after completion when the command (and its outputs) is deleted.</summary>
        [Default(DefaultTtlSecondsAfterFinished), Range(0, 31536000)]
        [JsonPropertyName("ttlSecondsAfterFinished")] public int? TtlSecondsAfterFinished { get; set; }

        /// <summary><see cref="TtlSecondsAfterFinished"/>, or its default when absent.</summary>
        public int TtlSecondsAfterFinishedOrDefault() => TtlSecondsAfterFinished ?? DefaultTtlSecondsAfterFinished;

        /// <summary>Set to true to cancel the targets still running.</summary>
        [Default(false)]
        [JsonPropertyName("cancel")] public bool? Cancel { get; set; }
    }

    public sealed class TargetSpec
    {
        /// <summary>Pods of the command's own namespace.</summary>
        [JsonPropertyName("pods")] public PodTarget? Pods { get; set; }

        /// <summary>Nodes, for node-level actions; allowed only from namespaces the operator permits.</summary>
        [JsonPropertyName("nodes")] public NodeTarget? Nodes { get; set; }

        /// <summary>Which of the matched targets to run on.</summary>
        [JsonPropertyName("sample")] public SampleSpec? Sample { get; set; }
    }

    public sealed class PodTarget
    {
        /// <summary>Selects the pods by label, in the command's namespace.</summary>
        [Required]
        [JsonPropertyName("selector")] public V1LabelSelector Selector { get; set; } = new();

        /// <summary>Only these pods, by name, among those the selector matches; every matched pod when absent.</summary>
        [ItemPattern(Patterns.DnsSubdomain, Patterns.DnsSubdomainMaxLength)]
        [JsonPropertyName("names")] public List<string>? Names { get; set; }

        /// <summary>The container; every container when absent.</summary>
        [RegularExpression(Patterns.DnsLabel), MaxLength(63)]
        [JsonPropertyName("container")] public string? Container { get; set; }

        /// <summary>The process inside the container; the main process when absent.</summary>
        [JsonPropertyName("process")] public ProcessSelector? Process { get; set; }
    }

    public sealed class ProcessSelector
    {
        /// <summary>Process id as seen inside the container.</summary>
        [Range(1, int.MaxValue)]
        [JsonPropertyName("pid")] public int? Pid { get; set; }

        /// <summary>Regular expression matched against the process name.</summary>
        [MaxLength(256)]
        [JsonPropertyName("name")] public string? Name { get; set; }

        /// <summary>The process listening on this TCP port.</summary>
        [Range(1, 65535)]
        [JsonPropertyName("port")] public int? Port { get; set; }
    }

    public sealed class NodeTarget
    {
        /// <summary>Selects nodes by label.</summary>
        [JsonPropertyName("selector")] public V1LabelSelector? Selector { get; set; }

        /// <summary>Nodes by name.</summary>
        [ItemPattern(Patterns.DnsSubdomain, Patterns.DnsSubdomainMaxLength)]
        [JsonPropertyName("names")] public List<string>? Names { get; set; }
    }

    public sealed class SampleSpec
    {
        /// <summary>The default of <see cref="Mode"/>: every matched target.</summary>
        public const string DefaultMode = "all";

        /// <summary>all, one, fixed (value targets) or percent (value percent of targets).</summary>
        [Default(DefaultMode), AllowedValues("all", "one", "fixed", "percent")]
        [JsonPropertyName("mode")] public string? Mode { get; set; }

        /// <summary>The count for fixed, the percentage for percent.</summary>
        [Range(0, 100000)]
        [JsonPropertyName("value")] public int? Value { get; set; }
    }
}
