using System.Globalization;
using k8s.Models;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>
/// Judges a pod against a trigger's Kubernetes-signal condition from the pod's status alone (a pure function):
/// a container restart is a crossing once the container runs again after its last termination, keyed by its restart count; lost readiness is
/// a crossing forSeconds after the Ready condition went false, keyed by that transition. Counters are judged by the agents
/// (<see cref="CounterReadings"/> reads what they reported).
/// </summary>
public static class PodConditions
{
    public static PodObservation Observe(V1Alpha1DiagnosticTrigger.TriggerCondition condition, string? container, V1Pod pod, DateTimeOffset now, CounterReadings counters, DateTimeOffset watchingSince)
    {
        var name = pod.Metadata.Name;
        var statuses = (pod.Status?.ContainerStatuses ?? []).Where(c => container is null || c.Name == container).ToList();
        if (statuses.Count == 0)
        {
            return NotWatchable(name, container is null ? $"the pod has no container status yet (phase {pod.Status?.Phase ?? "unknown"})" : $"the pod has no container \"{container}\"");
        }
        if (condition.ContainerRestarted is { } restarted) return Restarts(name, pod.Metadata.Uid, restarted.Reason, statuses);
        if (condition.Counter is { } counter) return pod.Status?.Phase == "Running" ? counters.Observe(counter, name, pod.Metadata.Uid, statuses) : NotWatchable(name, $"the pod is {pod.Status?.Phase ?? "not started"}, not Running");
        return Readiness(name, pod, condition.ReadinessLost!.ForSecondsOrDefault(), now, watchingSince);
    }

    private static PodObservation Restarts(string pod, string uid, string? reason, List<V1ContainerStatus> statuses)
    {
        var crossings = new List<Crossing>();
        var notes = new List<string>();
        DateTimeOffset? waitingSince = null;
        foreach (var status in statuses)
        {
            if (status.RestartCount == 0 || status.LastState?.Terminated is not { } last)
            {
                notes.Add($"{status.Name} has not restarted");
                continue;
            }
            var why = last.Reason ?? "unknown";
            var at = last.FinishedAt is { } finished ? new DateTimeOffset(DateTime.SpecifyKind(finished, DateTimeKind.Utc)) : (DateTimeOffset?)null;
            if (reason is not null && !string.Equals(why, reason, StringComparison.Ordinal))
            {
                notes.Add($"{status.Name} last restarted for {why}, not {reason}");
                continue;
            }
            if (at is null)
            {
                notes.Add($"{status.Name} restarted, its last termination has no finish time yet");
                continue;
            }
            if (status.State?.Running is not { } running)
            {
                // The command runs against the container: it fires once the container runs again, not into its restart back-off.
                waitingSince ??= at;
                notes.Add($"{status.Name} ended at {Format(at.Value)} ({why}, restart {status.RestartCount}): fires once it runs again");
                continue;
            }
            var ranAgain = running.StartedAt is { } started ? new DateTimeOffset(DateTime.SpecifyKind(started, DateTimeKind.Utc)) : at.Value;
            crossings.Add(new Crossing(pod, status.Name, $"{uid}/{status.Name}/restart/{status.RestartCount.ToString(CultureInfo.InvariantCulture)}", ranAgain > at.Value ? ranAgain : at.Value,
                $"container {status.Name} restarted (restart {status.RestartCount}, {why}{(last.ExitCode != 0 ? $", exit code {last.ExitCode}" : "")})"));
            notes.Add($"{status.Name} last restarted at {Format(at.Value)} ({why}, restart {status.RestartCount})");
        }
        return new PodObservation(pod, waitingSince is null ? TriggerPodStates.Watching : TriggerPodStates.Holding, string.Join("; ", notes), waitingSince, crossings, null);
    }

    private static PodObservation Readiness(string pod, V1Pod status, int forSeconds, DateTimeOffset now, DateTimeOffset watchingSince)
    {
        if (status.Status?.Phase != "Running") return NotWatchable(pod, $"the pod is {status.Status?.Phase ?? "not started"}, not Running");
        var ready = status.Status.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        if (ready?.Status == "True") return new PodObservation(pod, TriggerPodStates.Watching, "Ready", null, [], null);
        var since = ready?.LastTransitionTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : now;
        // A pod already unready when the trigger was made counts from then: it fires forSeconds later if still unready.
        var crossAt = (since > watchingSince ? since : watchingSince).AddSeconds(forSeconds);
        if (now < crossAt)
        {
            return new PodObservation(pod, TriggerPodStates.Holding, $"not Ready since {Format(since)}: fires at {Format(crossAt)} if still not Ready (forSeconds {forSeconds})", since, [], crossAt - now);
        }
        var key = $"{status.Metadata.Uid}/unready/{since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        var crossing = new Crossing(pod, "", key, crossAt, $"not Ready since {Format(since)} ({forSeconds} s or more){(ready?.Message is { Length: > 0 } m ? $": {m}" : "")}");
        return new PodObservation(pod, TriggerPodStates.Holding, $"not Ready since {Format(since)}, {forSeconds} s or more (forSeconds {forSeconds})", since, [crossing], null);
    }

    public static PodObservation NotWatchable(string pod, string why) => new(pod, TriggerPodStates.NotWatchable, why, null, [], null);

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
