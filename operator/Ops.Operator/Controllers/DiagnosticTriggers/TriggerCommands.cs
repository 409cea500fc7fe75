using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>
/// The DiagnosticCommand a crossing starts: named after the trigger, the pod and the crossing's key (so a crossing
/// seen again, after an operator restart or a leader change, finds its command already there instead of starting a
/// second), owned by the trigger, labelled with it, aimed at the one pod and container that crossed.
/// </summary>
public static class TriggerCommands
{
    public const string TriggerLabel = "ops.dev/trigger";
    public const string PodAnnotation = "ops.dev/trigger-pod";
    public const string CrossingAnnotation = "ops.dev/trigger-crossing";

    /// <summary>A name of at most 63 characters (the commands' result ConfigMaps carry it in a label): trigger, pod, and a hash of the key.</summary>
    public static string NameOf(string trigger, string pod, string key)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8].ToLowerInvariant();
        return $"{Cut(trigger, 20)}-{Cut(pod, 32)}-{hash}";
    }

    private static string Cut(string name, int length) => name.Length <= length ? name : name[..length].TrimEnd('-', '.');

    public static V1Alpha1DiagnosticCommand For(V1Alpha1DiagnosticTrigger trigger, Crossing crossing)
    {
        var spec = trigger.Spec;
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [PodAnnotation] = crossing.Pod,
            [CrossingAnnotation] = crossing.Message,
        };
        // A triggered command is asked for by whoever created the trigger, as a ScheduledTask's runs are.
        if (trigger.Metadata.Annotations?.TryGetValue(Admission.Requester.Annotation, out var requester) == true) annotations[Admission.Requester.Annotation] = requester;
        return new V1Alpha1DiagnosticCommand
        {
            Metadata = new V1ObjectMeta
            {
                Name = NameOf(trigger.Metadata.Name, crossing.Pod, crossing.Key),
                NamespaceProperty = trigger.Metadata.NamespaceProperty,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { [TriggerLabel] = trigger.Metadata.Name },
                Annotations = annotations,
                OwnerReferences = [new V1OwnerReference { ApiVersion = ApiGroup.ApiVersion, Kind = V1Alpha1DiagnosticTrigger.KindName, Name = trigger.Metadata.Name, Uid = trigger.Metadata.Uid, Controller = true, BlockOwnerDeletion = true }],
            },
            Spec = new V1Alpha1DiagnosticCommand.CommandSpec
            {
                Action = spec.Action.Action,
                Parameters = spec.Action.Parameters is null ? null : new Dictionary<string, string>(spec.Action.Parameters, StringComparer.Ordinal),
                TimeoutSeconds = spec.Action.TimeoutSeconds,
                TtlSecondsAfterFinished = spec.Action.TtlSecondsAfterFinished,
                Target = new V1Alpha1DiagnosticCommand.TargetSpec
                {
                    Pods = new V1Alpha1DiagnosticCommand.PodTarget
                    {
                        Selector = KubernetesJson.Deserialize<V1LabelSelector>(KubernetesJson.Serialize(spec.Target.Selector)),
                        Names = [crossing.Pod],
                        Container = crossing.Container.Length > 0 ? crossing.Container : spec.Target.Container,
                        // A counter crossed in one process: that process, whatever the trigger's selector would pick.
                        Process = crossing.NamespacePid is { } pid ? new V1Alpha1DiagnosticCommand.ProcessSelector { Pid = pid } : spec.Target.Process,
                    },
                },
            },
        };
    }

    /// <summary>The command a trigger's spec would start, for checking the action, parameters and policies before anything fires.</summary>
    public static V1Alpha1DiagnosticCommand Template(V1Alpha1DiagnosticTrigger trigger)
    {
        var command = For(trigger, new Crossing("template", "", "template", DateTimeOffset.UnixEpoch, ""));
        command.Spec.Target.Pods!.Names = null;
        return command;
    }
}
