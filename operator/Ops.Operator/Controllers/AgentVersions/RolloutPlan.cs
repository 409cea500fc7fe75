using k8s.Models;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>One step of a rollout: how many nodes run the new version once it completes, and the pause after it.</summary>
public sealed record PlannedStep(int Number, int Nodes, V1Alpha1AgentVersion.PauseSpec? Pause);

/// <summary>
/// The steps of a rollout over a fleet of a given size. Counts are cumulative; a percentage rounds up
/// (10% of 15 nodes is 2), so a step never updates fewer nodes than it names; steps that would go
/// backwards hold the count; and when the spec's steps stop short of the whole fleet a final step
/// updates the rest, as a rollout always ends with every node on the new version.
/// </summary>
public static class RolloutPlan
{
    public static IReadOnlyList<PlannedStep> For(V1Alpha1AgentVersion.RolloutStrategy? strategy, int totalNodes)
    {
        var steps = new List<PlannedStep>();
        var reached = 0;
        foreach (var step in strategy?.Canary?.Steps ?? [])
        {
            var nodes = step.Nodes is { } n ? n : step.Percent is { } p ? Percent(p, totalNodes) : totalNodes;
            reached = Math.Max(reached, Math.Min(totalNodes, nodes));
            steps.Add(new PlannedStep(steps.Count + 1, reached, step.Pause));
        }
        if (steps.Count == 0 || reached < totalNodes) steps.Add(new PlannedStep(steps.Count + 1, totalNodes, null));
        return steps;
    }

    /// <summary>Agents that may be down at once: a count, or a percentage of the fleet rounded up (as a DaemonSet's); at least 1.</summary>
    public static int MaxUnavailable(IntOrString? value, int totalNodes)
    {
        var text = value?.Value;
        if (text is null) return V1Alpha1AgentVersion.RolloutStrategy.DefaultMaxUnavailable;
        if (text.EndsWith('%') && int.TryParse(text[..^1], out var percent)) return Math.Max(1, Percent(percent, totalNodes));
        return int.TryParse(text, out var count) ? Math.Max(1, count) : 1;
    }

    private static int Percent(int percent, int total) => (int)Math.Ceiling(percent * (long)total / 100.0);
}
