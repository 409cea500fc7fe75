using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.Schema;

namespace Ops.Operator.Api.V1Alpha1;

/// <summary>Rolls an agent version over the fleet in canary stages, gated on the agents' health, with automatic rollback.</summary>
[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = "AgentVersion", PluralName = "agentversions")]
[ClusterScoped]
[ShortNames("av")]
[PrinterColumn("VERSION", ".spec.version")]
[PrinterColumn("PHASE", ".status.phase")]
[PrinterColumn("STEP", ".status.currentStep", "integer")]
[PrinterColumn("UPDATED", ".status.updatedNodes", "integer")]
[PrinterColumn("READY", ".status.readyNodes", "integer")]
[PrinterColumn("AGE", ".metadata.creationTimestamp", "date")]
public sealed class V1Alpha1AgentVersion() : CustomResource<V1Alpha1AgentVersion.VersionSpec, V1Alpha1AgentVersion.VersionStatus>(ApiGroup.ApiVersion, KindName)
{
    public const string KindName = "AgentVersion";
    public const string Plural = "agentversions";

    /// <summary>Set to a step's number to let the rollout go on after that step's pause (kubectl ops rollout approve sets it).</summary>
    public const string ApprovedStepAnnotation = "ops.dev/approved-step";

    /// <summary>The agent version to roll out over the fleet, and how: canary steps, health gate, rollback.</summary>
    public sealed class VersionSpec
    {
        /// <summary>The agent version the fleet should run.</summary>
        [Required, MinLength(1), MaxLength(128), RegularExpression(@"^[0-9A-Za-z][0-9A-Za-z.+_-]*$")]
        [JsonPropertyName("version")] public string Version { get; set; } = "";

        /// <summary>The agent image of that version.</summary>
        [Required, MinLength(1), MaxLength(512)]
        [JsonPropertyName("image")] public string Image { get; set; } = "";

        /// <summary>True holds the rollout where it is.</summary>
        [Default(false)]
        [JsonPropertyName("paused")] public bool? Paused { get; set; }

        /// <summary>How the rollout proceeds; every field has a default.</summary>
        [JsonPropertyName("strategy")] public RolloutStrategy? Strategy { get; set; }
    }

    public sealed class RolloutStrategy
    {
        /// <summary>The default of <see cref="MaxUnavailable"/>: one agent at a time.</summary>
        public const int DefaultMaxUnavailable = 1;

        /// <summary>Agents that may be down at once: a count or a percentage of the nodes.</summary>
        [Default(DefaultMaxUnavailable), IntOrString(StringPattern = Patterns.Percent)]
        [JsonPropertyName("maxUnavailable")] public IntOrString? MaxUnavailable { get; set; }

        /// <summary>The canary nodes and the steps of the rollout.</summary>
        [JsonPropertyName("canary")] public CanaryStrategy? Canary { get; set; }

        /// <summary>What an updated node must pass before the rollout moves on.</summary>
        [JsonPropertyName("healthGate")] public HealthGate? HealthGate { get; set; }

        /// <summary>The default of <see cref="AutoRollback"/>: a failed gate restores the previous version.</summary>
        public const bool DefaultAutoRollback = true;

        /// <summary>Restore the previous version on every node when a health gate fails.</summary>
        [Default(DefaultAutoRollback)]
        [JsonPropertyName("autoRollback")] public bool? AutoRollback { get; set; }

        /// <summary><see cref="AutoRollback"/>, or its default when absent.</summary>
        public bool AutoRollbackOrDefault() => AutoRollback ?? DefaultAutoRollback;
    }

    public sealed class CanaryStrategy
    {
        /// <summary>Nodes updated first, before any step counts other nodes.</summary>
        [JsonPropertyName("nodeSelector")] public V1LabelSelector? NodeSelector { get; set; }

        /// <summary>Steps in order; each names how many nodes run the new version when it completes.</summary>
        [MaxLength(20)]
        [JsonPropertyName("steps")] public List<CanaryStep>? Steps { get; set; }
    }

    public sealed class CanaryStep
    {
        /// <summary>Nodes updated once this step completes.</summary>
        [Range(0, 100000)]
        [JsonPropertyName("nodes")] public int? Nodes { get; set; }

        /// <summary>Percentage of nodes updated once this step completes.</summary>
        [Range(0, 100)]
        [JsonPropertyName("percent")] public int? Percent { get; set; }

        /// <summary>Wait after the step: for a duration, or until approved when empty.</summary>
        [JsonPropertyName("pause")] public PauseSpec? Pause { get; set; }
    }

    public sealed class PauseSpec
    {
        /// <summary>How long to wait, for example 10m; absent means wait for approval.</summary>
        [RegularExpression(Patterns.Duration)]
        [JsonPropertyName("duration")] public string? Duration { get; set; }
    }

    public sealed class HealthGate
    {
        /// <summary>The default of <see cref="MinReadySeconds"/>: half a minute Ready.</summary>
        public const int DefaultMinReadySeconds = 30;

        /// <summary>Seconds an updated agent must stay Ready before its node counts as updated.</summary>
        [Default(DefaultMinReadySeconds), Range(0, 3600)]
        [JsonPropertyName("minReadySeconds")] public int? MinReadySeconds { get; set; }

        /// <summary><see cref="MinReadySeconds"/>, or its default when absent.</summary>
        public int MinReadySecondsOrDefault() => MinReadySeconds ?? DefaultMinReadySeconds;

        /// <summary>The default of <see cref="SelfTest"/>: the self-test runs.</summary>
        public const bool DefaultSelfTest = true;

        /// <summary>agent.selftest must pass on every updated node.</summary>
        [Default(DefaultSelfTest)]
        [JsonPropertyName("selfTest")] public bool? SelfTest { get; set; }

        /// <summary><see cref="SelfTest"/>, or its default when absent.</summary>
        public bool SelfTestOrDefault() => SelfTest ?? DefaultSelfTest;

        /// <summary>The default of <see cref="MaxFailedNodes"/>: the first failed node fails the rollout.</summary>
        public const int DefaultMaxFailedNodes = 0;

        /// <summary>Updated nodes allowed to fail the gate before the rollout fails.</summary>
        [Default(DefaultMaxFailedNodes), Range(0, 100000)]
        [JsonPropertyName("maxFailedNodes")] public int? MaxFailedNodes { get; set; }

        /// <summary><see cref="MaxFailedNodes"/>, or its default when absent.</summary>
        public int MaxFailedNodesOrDefault() => MaxFailedNodes ?? DefaultMaxFailedNodes;

        /// <summary>The default of <see cref="ReadyTimeoutSeconds"/>: five minutes to become Ready.</summary>
        public const int DefaultReadyTimeoutSeconds = 300;

        /// <summary>Seconds an updated agent may take to become Ready before its node counts as failed.</summary>
        [Default(DefaultReadyTimeoutSeconds), Range(10, 86400)]
        [JsonPropertyName("readyTimeoutSeconds")] public int? ReadyTimeoutSeconds { get; set; }

        /// <summary><see cref="ReadyTimeoutSeconds"/>, or its default when absent.</summary>
        public int ReadyTimeoutSecondsOrDefault() => ReadyTimeoutSeconds ?? DefaultReadyTimeoutSeconds;
    }

    /// <summary>The rollout's progress, written by the operator: phase, step, node counts, history and conditions.</summary>
    public sealed class VersionStatus : IControllerStatus
    {
        /// <summary>Progressing, Paused, Succeeded, RollingBack, RolledBack or Failed.</summary>
        [AllowedValues("Progressing", "Paused", "Succeeded", "RollingBack", "RolledBack", "Failed")]
        [JsonPropertyName("phase")] public string? Phase { get; set; }

        /// <summary>The metadata.generation this status was written for.</summary>
        [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }

        /// <summary>The step in progress, from 1; a step that completes leaves the number of the next.</summary>
        [JsonPropertyName("currentStep")] public int? CurrentStep { get; set; }

        /// <summary>Steps of the rollout, counting the final step to every node when the spec's steps stop short of it.</summary>
        [JsonPropertyName("totalSteps")] public int? TotalSteps { get; set; }

        /// <summary>Nodes the agent DaemonSet runs on.</summary>
        [JsonPropertyName("totalNodes")] public int? TotalNodes { get; set; }

        /// <summary>Nodes whose agent runs the new version and passed the health gate.</summary>
        [JsonPropertyName("updatedNodes")] public int? UpdatedNodes { get; set; }

        /// <summary>Nodes whose agent, of any version, is Ready.</summary>
        [JsonPropertyName("readyNodes")] public int? ReadyNodes { get; set; }

        /// <summary>Nodes whose updated agent failed the health gate (at most 100 listed).</summary>
        [MaxLength(100)]
        [JsonPropertyName("failedNodes")] public List<string>? FailedNodes { get; set; }

        /// <summary>The version and image this status rolls out; a spec naming others starts a new rollout.</summary>
        [JsonPropertyName("targetVersion")] public string? TargetVersion { get; set; }

        /// <summary>The image being rolled out.</summary>
        [JsonPropertyName("targetImage")] public string? TargetImage { get; set; }

        /// <summary>What the agents ran before this rollout, restored by a rollback.</summary>
        [JsonPropertyName("previousVersion")] public string? PreviousVersion { get; set; }

        /// <summary>The image the fleet ran before, restored on rollback.</summary>
        [JsonPropertyName("previousImage")] public string? PreviousImage { get; set; }

        /// <summary>One record per step: when it started and completed, and how it ended.</summary>
        [JsonPropertyName("stepHistory")] public List<StepRecord>? StepHistory { get; set; }

        /// <summary>Progressing, Healthy and Active, as metav1.Condition.</summary>
        [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }
    }

    public sealed class StepRecord
    {
        /// <summary>The step's number, from 1.</summary>
        [Required, JsonPropertyName("step")] public int Step { get; set; }

        /// <summary>When the step began.</summary>
        [JsonPropertyName("startedAt")] public DateTime? StartedAt { get; set; }

        /// <summary>When the step ended.</summary>
        [JsonPropertyName("completedAt")] public DateTime? CompletedAt { get; set; }

        /// <summary>How the step ended: Completed or Failed.</summary>
        [JsonPropertyName("result")] public string? Result { get; set; }

        /// <summary>What happened in the step, in words.</summary>
        [JsonPropertyName("message")] public string? Message { get; set; }
    }
}
