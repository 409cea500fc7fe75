using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.Schema;

namespace Ops.Operator.Api.V1Alpha1;

[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = "AgentVersion", PluralName = "agentversions")]
[ClusterScoped]
[ShortNames("av")]
[Description("Rolls an agent version over the fleet in canary stages, gated on the agents' health, with automatic rollback.")]
[PrinterColumn("VERSION", ".spec.version")]
[PrinterColumn("PHASE", ".status.phase")]
[PrinterColumn("STEP", ".status.currentStep", "integer")]
[PrinterColumn("UPDATED", ".status.updatedNodes", "integer")]
[PrinterColumn("READY", ".status.readyNodes", "integer")]
[PrinterColumn("AGE", ".metadata.creationTimestamp", "date")]
public sealed class V1Alpha1AgentVersion : IKubernetesObject<V1ObjectMeta>, ISpec<V1Alpha1AgentVersion.VersionSpec>, IStatus<V1Alpha1AgentVersion.VersionStatus?>
{
    public const string KindName = "AgentVersion";
    public const string Plural = "agentversions";

    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = ApiGroup.ApiVersion;
    [JsonPropertyName("kind")] public string Kind { get; set; } = KindName;
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [Required, JsonPropertyName("spec")] public VersionSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public VersionStatus? Status { get; set; }

    public sealed class VersionSpec
    {
        [Required, MinLength(1), MaxLength(128), RegularExpression(@"^[0-9A-Za-z][0-9A-Za-z.+_-]*$")]
        [Description("The agent version the fleet should run.")]
        [JsonPropertyName("version")] public string Version { get; set; } = "";

        [Required, MinLength(1), MaxLength(512)]
        [Description("The agent image of that version.")]
        [JsonPropertyName("image")] public string Image { get; set; } = "";

        [Default(false)]
        [Description("True holds the rollout where it is.")]
        [JsonPropertyName("paused")] public bool? Paused { get; set; }

        [JsonPropertyName("strategy")] public RolloutStrategy? Strategy { get; set; }
    }

    public sealed class RolloutStrategy
    {
        /// <summary>The default of <see cref="MaxUnavailable"/>: one agent at a time.</summary>
        public const int DefaultMaxUnavailable = 1;

        [Default(DefaultMaxUnavailable), IntOrString(StringPattern = Patterns.Percent)]
        [Description("Agents that may be down at once: a count or a percentage of the nodes.")]
        [JsonPropertyName("maxUnavailable")] public IntOrString? MaxUnavailable { get; set; }

        [JsonPropertyName("canary")] public CanaryStrategy? Canary { get; set; }
        [JsonPropertyName("healthGate")] public HealthGate? HealthGate { get; set; }

        /// <summary>The default of <see cref="AutoRollback"/>: a failed gate restores the previous version.</summary>
        public const bool DefaultAutoRollback = true;

        [Default(DefaultAutoRollback)]
        [Description("Restore the previous version on every node when a health gate fails.")]
        [JsonPropertyName("autoRollback")] public bool? AutoRollback { get; set; }

        /// <summary><see cref="AutoRollback"/>, or its default when absent.</summary>
        public bool AutoRollbackOrDefault() => AutoRollback ?? DefaultAutoRollback;
    }

    public sealed class CanaryStrategy
    {
        [Description("Nodes updated first, before any step counts other nodes.")]
        [JsonPropertyName("nodeSelector")] public V1LabelSelector? NodeSelector { get; set; }

        [MaxLength(20)]
        [Description("Steps in order; each names how many nodes run the new version when it completes.")]
        [JsonPropertyName("steps")] public List<CanaryStep>? Steps { get; set; }
    }

    public sealed class CanaryStep
    {
        [Range(0, 100000)]
        [Description("Nodes updated once this step completes.")]
        [JsonPropertyName("nodes")] public int? Nodes { get; set; }

        [Range(0, 100)]
        [Description("Percentage of nodes updated once this step completes.")]
        [JsonPropertyName("percent")] public int? Percent { get; set; }

        [Description("Wait after the step: for a duration, or until approved when empty.")]
        [JsonPropertyName("pause")] public PauseSpec? Pause { get; set; }
    }

    public sealed class PauseSpec
    {
        [RegularExpression(Patterns.Duration)]
        [Description("How long to wait, for example 10m; absent means wait for approval.")]
        [JsonPropertyName("duration")] public string? Duration { get; set; }
    }

    public sealed class HealthGate
    {
        /// <summary>The default of <see cref="MinReadySeconds"/>: half a minute Ready.</summary>
        public const int DefaultMinReadySeconds = 30;

        [Default(DefaultMinReadySeconds), Range(0, 3600)]
        [Description("Seconds an updated agent must stay Ready before its node counts as updated.")]
        [JsonPropertyName("minReadySeconds")] public int? MinReadySeconds { get; set; }

        /// <summary><see cref="MinReadySeconds"/>, or its default when absent.</summary>
        public int MinReadySecondsOrDefault() => MinReadySeconds ?? DefaultMinReadySeconds;

        /// <summary>The default of <see cref="SelfTest"/>: the self-test runs.</summary>
        public const bool DefaultSelfTest = true;

        [Default(DefaultSelfTest)]
        [Description("agent.selftest must pass on every updated node.")]
        [JsonPropertyName("selfTest")] public bool? SelfTest { get; set; }

        /// <summary><see cref="SelfTest"/>, or its default when absent.</summary>
        public bool SelfTestOrDefault() => SelfTest ?? DefaultSelfTest;

        /// <summary>The default of <see cref="MaxFailedNodes"/>: the first failed node fails the rollout.</summary>
        public const int DefaultMaxFailedNodes = 0;

        [Default(DefaultMaxFailedNodes), Range(0, 100000)]
        [Description("Updated nodes allowed to fail the gate before the rollout fails.")]
        [JsonPropertyName("maxFailedNodes")] public int? MaxFailedNodes { get; set; }

        /// <summary><see cref="MaxFailedNodes"/>, or its default when absent.</summary>
        public int MaxFailedNodesOrDefault() => MaxFailedNodes ?? DefaultMaxFailedNodes;

        /// <summary>The default of <see cref="ReadyTimeoutSeconds"/>: five minutes to become Ready.</summary>
        public const int DefaultReadyTimeoutSeconds = 300;

        [Default(DefaultReadyTimeoutSeconds), Range(10, 86400)]
        [Description("Seconds an updated agent may take to become Ready before its node counts as failed.")]
        [JsonPropertyName("readyTimeoutSeconds")] public int? ReadyTimeoutSeconds { get; set; }

        /// <summary><see cref="ReadyTimeoutSeconds"/>, or its default when absent.</summary>
        public int ReadyTimeoutSecondsOrDefault() => ReadyTimeoutSeconds ?? DefaultReadyTimeoutSeconds;
    }

    public sealed class VersionStatus : IControllerStatus
    {
        [AllowedValues("Progressing", "Paused", "Succeeded", "RollingBack", "RolledBack", "Failed")]
        [JsonPropertyName("phase")] public string? Phase { get; set; }

        [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }

        [Description("The step in progress, from 1; a step that completes leaves the number of the next.")]
        [JsonPropertyName("currentStep")] public int? CurrentStep { get; set; }

        [Description("Steps of the rollout, counting the final step to every node when the spec's steps stop short of it.")]
        [JsonPropertyName("totalSteps")] public int? TotalSteps { get; set; }

        [Description("Nodes the agent DaemonSet runs on.")]
        [JsonPropertyName("totalNodes")] public int? TotalNodes { get; set; }

        [Description("Nodes whose agent runs the new version and passed the health gate.")]
        [JsonPropertyName("updatedNodes")] public int? UpdatedNodes { get; set; }

        [Description("Nodes whose agent, of any version, is Ready.")]
        [JsonPropertyName("readyNodes")] public int? ReadyNodes { get; set; }

        [MaxLength(100)]
        [Description("Nodes whose updated agent failed the health gate (at most 100 listed).")]
        [JsonPropertyName("failedNodes")] public List<string>? FailedNodes { get; set; }

        [Description("The version and image this status rolls out; a spec naming others starts a new rollout.")]
        [JsonPropertyName("targetVersion")] public string? TargetVersion { get; set; }
        [JsonPropertyName("targetImage")] public string? TargetImage { get; set; }

        [Description("What the agents ran before this rollout, restored by a rollback.")]
        [JsonPropertyName("previousVersion")] public string? PreviousVersion { get; set; }
        [JsonPropertyName("previousImage")] public string? PreviousImage { get; set; }
        [JsonPropertyName("stepHistory")] public List<StepRecord>? StepHistory { get; set; }
        [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }
    }

    public sealed class StepRecord
    {
        [Required, JsonPropertyName("step")] public int Step { get; set; }
        [JsonPropertyName("startedAt")] public DateTime? StartedAt { get; set; }
        [JsonPropertyName("completedAt")] public DateTime? CompletedAt { get; set; }
        [JsonPropertyName("result")] public string? Result { get; set; }
        [JsonPropertyName("message")] public string? Message { get; set; }
    }
}
