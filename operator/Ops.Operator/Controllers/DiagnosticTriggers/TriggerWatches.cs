using System.Globalization;
using k8s.Models;
using Ops.Agent.V1;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;

namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>The counter watches a counter trigger wants: one per running container of each matched pod, on the pod's node.</summary>
public static class TriggerWatches
{
    /// <summary>A watch's id: stable for the trigger, pod and container, so the agent's judgement and crossings survive a new leader's syncs.</summary>
    public static string IdOf(string triggerUid, string podUid, string container) => $"{triggerUid}/{podUid}/{container}";

    public static List<NodeWatch> For(V1Alpha1DiagnosticTrigger trigger, IEnumerable<V1Pod> pods)
    {
        if (trigger.Spec.Condition.Counter is not { } counter) return [];
        var watches = new List<NodeWatch>();
        foreach (var pod in pods.Where(p => p.Status?.Phase == "Running" && !string.IsNullOrEmpty(p.Spec?.NodeName)))
        {
            foreach (var status in pod.Status.ContainerStatuses ?? [])
            {
                if (trigger.Spec.Target.Container is { } only && status.Name != only) continue;
                if (status.State?.Running is null || string.IsNullOrEmpty(status.ContainerID)) continue;
                watches.Add(new NodeWatch(pod.Spec.NodeName, pod.Metadata.Name, status.Name, new CounterWatch
                {
                    Id = IdOf(trigger.Metadata.Uid, pod.Metadata.Uid, status.Name),
                    Target = new Target
                    {
                        Namespace = pod.Metadata.NamespaceProperty,
                        Pod = pod.Metadata.Name,
                        PodUid = pod.Metadata.Uid,
                        Container = status.Name,
                        ContainerId = status.ContainerID,
                        Process = CommandFanOut.ProcessOf(trigger.Spec.Target.Process),
                    },
                    Counter = counter.Name,
                    Above = counter.IsAbove,
                    Threshold = counter.Threshold,
                    ForSeconds = counter.ForSeconds ?? V1Alpha1DiagnosticTrigger.CounterCondition.DefaultForSeconds,
                    IntervalSeconds = counter.IntervalSeconds ?? V1Alpha1DiagnosticTrigger.CounterCondition.DefaultIntervalSeconds,
                }));
            }
        }
        return watches;
    }

    /// <summary>A counter's value as the status shows it.</summary>
    public static string Format(double value) => value.ToString(Math.Abs(value) >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture);
}
