using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.Schema;

namespace Ops.Operator.Api.V1Alpha1;

// The status types of a DiagnosticCommand (the kind's documentation is on the other part).
public sealed partial class V1Alpha1DiagnosticCommand
{
    /// <summary>What happened, written by the operator: the phase, counts per target phase, bounded per-target results and conditions.</summary>
    public sealed class CommandStatus : IControllerStatus
    {
        /// <summary>Pending, Running, Succeeded, PartiallyFailed, Failed or Cancelled.</summary>
        [AllowedValues(CommandPhase.Pending, CommandPhase.Running, CommandPhase.Succeeded, CommandPhase.PartiallyFailed, CommandPhase.Failed, CommandPhase.Cancelled)]
        [JsonPropertyName("phase")] public string? Phase { get; set; }

        /// <summary>The metadata.generation this status was written for.</summary>
        [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }

        /// <summary>When the targets were resolved and the fan-out began.</summary>
        [JsonPropertyName("startTime")] public DateTime? StartTime { get; set; }

        /// <summary>When the last target finished.</summary>
        [JsonPropertyName("completionTime")] public DateTime? CompletionTime { get; set; }

        /// <summary>How many targets are in each phase.</summary>
        [JsonPropertyName("targets")] public TargetCounts? Targets { get; set; }

        /// <summary>Per-target results, failures first, bounded in number; full outputs are in the objects named by resultRef.</summary>
        [JsonPropertyName("results")] public List<TargetResult>? Results { get; set; }

        /// <summary>How many results were left out of the list above to keep the object small.</summary>
        [JsonPropertyName("omittedResults")] public int? OmittedResults { get; set; }

        /// <summary>Accepted (targets resolved, or why not), Complete, Failed, Cancelling and SpecChangeIgnored, as metav1.Condition.</summary>
        [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }
    }

    public sealed class TargetCounts
    {
        /// <summary>Targets resolved when the command started.</summary>
        [JsonPropertyName("total")] public int Total { get; set; }

        /// <summary>Targets not started yet (waiting for a parallelism slot or their agent).</summary>
        [JsonPropertyName("pending")] public int Pending { get; set; }

        /// <summary>Targets running on their agents now.</summary>
        [JsonPropertyName("running")] public int Running { get; set; }

        /// <summary>Targets whose action succeeded.</summary>
        [JsonPropertyName("succeeded")] public int Succeeded { get; set; }

        /// <summary>Targets whose action failed, timed out, was cancelled or could not reach an agent.</summary>
        [JsonPropertyName("failed")] public int Failed { get; set; }
    }

    public sealed class TargetResult
    {
        /// <summary>The pod, container, node and process the result is for.</summary>
        [Required, JsonPropertyName("target")] public TargetRef Target { get; set; } = new();

        /// <summary>Succeeded, Failed or Cancelled.</summary>
        [JsonPropertyName("phase")] public string? Phase { get; set; }

        /// <summary>The action's exit code (0 for success; a script's own code).</summary>
        [JsonPropertyName("exitCode")] public int? ExitCode { get; set; }

        /// <summary>How long the action ran on its agent, in milliseconds.</summary>
        [JsonPropertyName("durationMs")] public long? DurationMs { get; set; }

        /// <summary>The first KiB of the output.</summary>
        [JsonPropertyName("summary")] public string? Summary { get; set; }

        /// <summary>Why the target failed, when it did.</summary>
        [JsonPropertyName("message")] public string? Message { get; set; }

        /// <summary>The object holding the full output.</summary>
        [JsonPropertyName("resultRef")] public string? ResultRef { get; set; }

        /// <summary>True when the full output was cut at its size cap.</summary>
        [JsonPropertyName("truncated")] public bool? Truncated { get; set; }

        /// <summary>Files the action produced (traces, heap snapshots, dumps), kept on the node's agent and downloaded through the operator.</summary>
        [JsonPropertyName("artifacts")] public List<ArtifactRef>? Artifacts { get; set; }
    }

    public sealed class TargetRef
    {
        /// <summary>The pod's name, for a pod target.</summary>
        [JsonPropertyName("pod")] public string? Pod { get; set; }

        /// <summary>The container the action ran in.</summary>
        [JsonPropertyName("container")] public string? Container { get; set; }

        /// <summary>The node whose agent ran the action.</summary>
        [JsonPropertyName("node")] public string? Node { get; set; }

        /// <summary>The process the action ran against, as the node sees it.</summary>
        [JsonPropertyName("pid")] public int? Pid { get; set; }
    }

    public sealed class ArtifactRef
    {
        /// <summary>The artifact's name on its agent, as the download URL names it.</summary>
        [Required, JsonPropertyName("name")] public string Name { get; set; } = "";

        /// <summary>The node whose agent keeps the artifact.</summary>
        [JsonPropertyName("node")] public string? Node { get; set; }

        /// <summary>The artifact's size in bytes.</summary>
        [JsonPropertyName("sizeBytes")] public long? SizeBytes { get; set; }

        /// <summary>The SHA-256 of the artifact's content, in hex, to check a download.</summary>
        [JsonPropertyName("sha256")] public string? Sha256 { get; set; }
    }
}
