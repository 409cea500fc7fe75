using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s.Models;
using Ops.ControllerRuntime.Client;

namespace Ops.Operator.Api.V1Alpha1;

// The status types of a DiagnosticTrigger (the kind's documentation is on the other part).
public sealed partial class V1Alpha1DiagnosticTrigger
{
    /// <summary>What the trigger sees and did: each pod's state and why it is not firing, the commands it started, totals and conditions.</summary>
    public sealed class TriggerStatus : IControllerStatus
    {
        /// <summary>The metadata.generation this status was written for.</summary>
        [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }

        /// <summary>The condition in a few words, for kubectl get.</summary>
        [JsonPropertyName("conditionSummary")] public string? ConditionSummary { get; set; }

        /// <summary>Pods up to this time have been judged: a crossing before it that did not fire (a limit held it) never will.</summary>
        [JsonPropertyName("evaluatedTime")] public DateTime? EvaluatedTime { get; set; }

        /// <summary>When the trigger last started a command.</summary>
        [JsonPropertyName("lastFiredTime")] public DateTime? LastFiredTime { get; set; }

        /// <summary>When the trigger retires itself (limits.expireAfterSeconds), if it does.</summary>
        [JsonPropertyName("expireTime")] public DateTime? ExpireTime { get; set; }

        /// <summary>Counts over every watched pod.</summary>
        [JsonPropertyName("totals")] public TriggerTotals? Totals { get; set; }

        /// <summary>Each watched pod's state, pods holding or limited first, at most 100.</summary>
        [JsonPropertyName("pods")] public List<PodState>? Pods { get; set; }

        /// <summary>How many pods were left out of the list above to keep the object small.</summary>
        [JsonPropertyName("omittedPods")] public int? OmittedPods { get; set; }

        /// <summary>The recent crossings: fired (kept for the window and the cool-down) and withheld by a limit (kept briefly).</summary>
        [JsonPropertyName("firings")] public List<Firing>? Firings { get; set; }

        /// <summary>The commands of this trigger still running.</summary>
        [JsonPropertyName("active")] public List<V1Alpha1ScheduledTask.ActiveCommand>? Active { get; set; }

        /// <summary>Ready (the spec is valid and allowed, or why not), Active (watching, or suspended or expired) and LimitReached, as metav1.Condition.</summary>
        [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }
    }

    public sealed class TriggerTotals
    {
        /// <summary>Pods the selector matches.</summary>
        [JsonPropertyName("pods")] public int Pods { get; set; }

        /// <summary>Pods whose condition holds but not yet for long enough.</summary>
        [JsonPropertyName("holding")] public int Holding { get; set; }

        /// <summary>Pods that fired and may not fire again yet (cool-down, or their own limit).</summary>
        [JsonPropertyName("coolingDown")] public int CoolingDown { get; set; }

        /// <summary>Commands started within the window.</summary>
        [JsonPropertyName("firedInWindow")] public int FiredInWindow { get; set; }

        /// <summary>Commands started since the trigger was created.</summary>
        [JsonPropertyName("fired")] public long Fired { get; set; }

        /// <summary>Crossings a limit held back since the trigger was created.</summary>
        [JsonPropertyName("withheld")] public long Withheld { get; set; }
    }

    public sealed class PodState
    {
        /// <summary>The pod's name.</summary>
        [Required, JsonPropertyName("pod")] public string Pod { get; set; } = "";

        /// <summary>Watching, Holding, CoolingDown, LimitReached or NotWatchable.</summary>
        [AllowedValues(TriggerPodStates.Watching, TriggerPodStates.Holding, TriggerPodStates.CoolingDown, TriggerPodStates.LimitReached, TriggerPodStates.NotWatchable)]
        [Required, JsonPropertyName("state")] public string State { get; set; } = "";

        /// <summary>Why it is not firing, or when it fired.</summary>
        [JsonPropertyName("message")] public string? Message { get; set; }

        /// <summary>The counter's last value (counter conditions), as the agent saw it.</summary>
        [JsonPropertyName("value")] public string? Value { get; set; }

        /// <summary>Since when the condition has held.</summary>
        [JsonPropertyName("holdingSince")] public DateTime? HoldingSince { get; set; }

        /// <summary>When it last fired.</summary>
        [JsonPropertyName("lastFiredTime")] public DateTime? LastFiredTime { get; set; }

        /// <summary>Commands it caused within the window.</summary>
        [JsonPropertyName("firedInWindow")] public int? FiredInWindow { get; set; }
    }

    public sealed class Firing
    {
        /// <summary>The pod that crossed.</summary>
        [Required, JsonPropertyName("pod")] public string Pod { get; set; } = "";

        /// <summary>What crossed, one key per crossing: the same crossing never fires twice.</summary>
        [Required, JsonPropertyName("key")] public string Key { get; set; } = "";

        /// <summary>When it was judged.</summary>
        [JsonPropertyName("time")] public DateTime Time { get; set; }

        /// <summary>Fired or Withheld.</summary>
        [AllowedValues(TriggerFiringOutcomes.Fired, TriggerFiringOutcomes.Withheld)]
        [Required, JsonPropertyName("outcome")] public string Outcome { get; set; } = "";

        /// <summary>The command started, when it fired.</summary>
        [JsonPropertyName("command")] public string? Command { get; set; }

        /// <summary>What crossed, or which limit held it back.</summary>
        [JsonPropertyName("message")] public string? Message { get; set; }
    }
}
