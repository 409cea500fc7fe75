using k8s.Models;
using Ops.Agent.V1;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>
/// A counter trigger's pods as the agents last reported their watches (a pure reading of those reports): the value, since
/// when the threshold has been crossed, the crossings the agents judged, or why a container has no value.
/// </summary>
public sealed class CounterReadings(string triggerUid, IReadOnlyDictionary<string, WatchState> states)
{
    public static readonly CounterReadings None = new("", new Dictionary<string, WatchState>());

    public PodObservation Observe(V1Alpha1DiagnosticTrigger.CounterCondition counter, string pod, string podUid, IReadOnlyList<V1ContainerStatus> containers)
    {
        var side = counter.IsAbove ? "above" : "below";
        var forSeconds = counter.ForSeconds ?? V1Alpha1DiagnosticTrigger.CounterCondition.DefaultForSeconds;
        var crossings = new List<Crossing>();
        var notes = new List<string>();
        var (state, holdingSince, value) = (TriggerPodStates.NotWatchable, (DateTimeOffset?)null, (string?)null);
        foreach (var container in containers)
        {
            if (container.State?.Running is null)
            {
                notes.Add($"{container.Name} is not running");
                continue;
            }
            if (!states.TryGetValue(TriggerWatches.IdOf(triggerUid, podUid, container.Name), out var reported))
            {
                notes.Add($"{container.Name}: waiting for its agent's first report");
                state = Better(state, TriggerPodStates.Watching);
                continue;
            }
            foreach (var crossed in reported.Crossings)
            {
                crossings.Add(new Crossing(pod, container.Name, crossed.Key, crossed.At.ToDateTimeOffset(),
                    $"{counter.Name} {TriggerWatches.Format(crossed.Value)} {side} {counter.Threshold} for {forSeconds} s or more (container {container.Name}, process {crossed.NamespacePid})", crossed.NamespacePid));
            }
            if (reported.Problem.Length > 0)
            {
                notes.Add($"{container.Name}: {reported.Problem}");
                continue;
            }
            var now = reported.HasValue ? TriggerWatches.Format(reported.Value) : null;
            value ??= now;
            if (reported.HoldingSince is { } held)
            {
                var since = held.ToDateTimeOffset();
                holdingSince = holdingSince is { } h && h < since ? h : since;
                state = TriggerPodStates.Holding;
                notes.Add($"{container.Name}: {counter.Name} {side} {counter.Threshold} since {PodConditions.Format(since)}: fires at {PodConditions.Format(since.AddSeconds(forSeconds))} if it stays {side}");
                continue;
            }
            state = Better(state, TriggerPodStates.Watching);
            notes.Add(now is null ? $"{container.Name}: waiting for the counter's first value" : $"{container.Name}: {counter.Name} fires {side} {counter.Threshold} for {forSeconds} s");
        }
        if (containers.Count == 0) notes.Add("no container to watch");
        return new PodObservation(pod, state, string.Join("; ", notes), holdingSince, crossings, null, value);
    }

    private static string Better(string current, string candidate) => current == TriggerPodStates.Holding ? current : candidate;
}
