using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Ops.Agent.V1.Actions;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.Schema;

namespace Ops.Operator.Api.V1Alpha1;

/// <summary>
/// What the DiagnosticCommands of the namespaces it selects may do. Several policies that select a namespace combine
/// as the most restrictive: a command runs only if every one of them allows it. A namespace no policy selects gets
/// the safe default: read-only and light .NET actions on its own pods.
/// </summary>
[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = "DiagnosticPolicy", PluralName = "diagnosticpolicies")]
[ClusterScoped]
[ShortNames("dpol")]
[PrinterColumn("GROUPS", ".spec.actionGroups")]
[PrinterColumn("NODE TARGETS", ".spec.nodeTargets", "boolean")]
[PrinterColumn("MAX DUMP", ".spec.maxDumpType")]
[PrinterColumn("NAMESPACES", ".status.namespaceCount", "integer")]
[PrinterColumn("AGE", ".metadata.creationTimestamp", "date")]
public sealed class V1Alpha1DiagnosticPolicy() : CustomResource<V1Alpha1DiagnosticPolicy.PolicySpec, V1Alpha1DiagnosticPolicy.PolicyStatus>(ApiGroup.ApiVersion, KindName)
{
    public const string KindName = "DiagnosticPolicy";
    public const string Plural = "diagnosticpolicies";

    /// <summary>
    /// The namespaces it applies to and what their commands may do. Every field but the selector has a default, and the
    /// defaults are the safe default that applies where no policy does: a policy grants only what it names.
    /// </summary>
    public sealed class PolicySpec
    {
        /// <summary>The namespaces this policy applies to, by label ({} selects every namespace; kubernetes.io/metadata.name selects one by name).</summary>
        [Required]
        [JsonPropertyName("namespaceSelector")] public V1LabelSelector NamespaceSelector { get; set; } = new();

        /// <summary>The default of <see cref="ActionGroups"/>.</summary>
        public static readonly IReadOnlyList<string> DefaultActionGroups = [Agent.V1.Actions.ActionGroups.ReadOnly, Agent.V1.Actions.ActionGroups.DotnetLight];

        /// <summary>Groups of actions allowed: read-only, dotnet-light, dotnet-heavy, scripts.</summary>
        [Default(new[] { Agent.V1.Actions.ActionGroups.ReadOnly, Agent.V1.Actions.ActionGroups.DotnetLight })]
        [ItemPattern("^(read-only|dotnet-light|dotnet-heavy|scripts)$", 16), MaxLength(4)]
        [JsonPropertyName("actionGroups")] public List<string>? ActionGroups { get; set; }

        /// <summary>Actions allowed by name besides their groups (for example dotnet.trace without the rest of dotnet-heavy).</summary>
        [ItemPattern(Patterns.ActionName, 63), MaxLength(64)]
        [JsonPropertyName("actions")] public List<string>? Actions { get; set; }

        /// <summary>Scripts script.run may run, by name (script.run must be allowed too, by the scripts group or by name).</summary>
        [ItemPattern(Patterns.DnsSubdomain, 253), MaxLength(256)]
        [JsonPropertyName("scripts")] public List<string>? Scripts { get; set; }

        /// <summary>The default of <see cref="MaxDumpType"/>: no process dump.</summary>
        public const string DefaultMaxDumpType = "none";

        /// <summary>The largest dotnet.dump type allowed: none, mini, heap or full (dotnet.dump must be allowed too).</summary>
        [Default(DefaultMaxDumpType), AllowedValues("none", "mini", "heap", "full")]
        [JsonPropertyName("maxDumpType")] public string? MaxDumpType { get; set; }

        /// <summary>Whether commands may target nodes rather than their own namespace's pods.</summary>
        [Default(false)]
        [JsonPropertyName("nodeTargets")] public bool? NodeTargets { get; set; }

        /// <summary>The default of <see cref="MaxTargetsPerCommand"/>.</summary>
        public const int DefaultMaxTargetsPerCommand = 100;

        /// <summary>The most targets one command may run on.</summary>
        [Default(DefaultMaxTargetsPerCommand), Range(1, 100_000)]
        [JsonPropertyName("maxTargetsPerCommand")] public int? MaxTargetsPerCommand { get; set; }

        /// <summary>The default of <see cref="MaxConcurrentCommands"/>.</summary>
        public const int DefaultMaxConcurrentCommands = 10;

        /// <summary>The most commands a namespace runs at once; more wait (phase Pending, condition Queued) until one finishes.</summary>
        [Default(DefaultMaxConcurrentCommands), Range(1, 10_000)]
        [JsonPropertyName("maxConcurrentCommands")] public int? MaxConcurrentCommands { get; set; }

        /// <summary>
        /// The most bytes of artifacts (traces, heap snapshots, dumps) the namespace's commands may write in a day (UTC), counted
        /// by the operator as commands finish, whatever happens to the commands after; a heavy action does not start
        /// once the day's bytes reach it. Left out: no limit.
        /// </summary>
        [Range(0, 1L << 50)]
        [JsonPropertyName("maxArtifactBytesPerDay")] public long? MaxArtifactBytesPerDay { get; set; }

        /// <summary>Destinations besides the target pod that a pod target's check.tcp and check.http may reach: CIDRs (10.0.0.0/8) or host names (a name is checked as written, then connected to at the address it resolves to once).</summary>
        [ItemPattern(@"^[0-9A-Za-z.:/-]+$", 253), MaxLength(64)]
        [JsonPropertyName("networkCheckDestinations")] public List<string>? NetworkCheckDestinations { get; set; }

        public IReadOnlyList<string> ActionGroupsOrDefault => ActionGroups ?? DefaultActionGroups;

        public string MaxDumpTypeOrDefault => MaxDumpType ?? DefaultMaxDumpType;

        public int MaxTargetsPerCommandOrDefault => MaxTargetsPerCommand ?? DefaultMaxTargetsPerCommand;

        public int MaxConcurrentCommandsOrDefault => MaxConcurrentCommands ?? DefaultMaxConcurrentCommands;
    }

    /// <summary>What the operator last saw of the policy.</summary>
    public sealed class PolicyStatus : IControllerStatus
    {
        /// <summary>How many namespaces the policy selects now.</summary>
        [JsonPropertyName("namespaceCount")] public int? NamespaceCount { get; set; }

        /// <summary>The first 50 of them, by name.</summary>
        [JsonPropertyName("namespaces")] public List<string>? Namespaces { get; set; }

        /// <summary>Valid: False (reason InvalidSelector) when the selector is one the operator cannot use, and the policy then selects nothing.</summary>
        [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }

        /// <summary>The metadata.generation this status was written for.</summary>
        [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }
    }
}
