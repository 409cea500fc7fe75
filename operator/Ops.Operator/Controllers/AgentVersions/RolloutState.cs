using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// Where a rollout is, as recorded in the AgentVersion's status: the status is the rollout's memory, so
/// an operator restarted mid-rollout goes on from the recorded step.
/// </summary>
public sealed class RolloutState
{
    public string Phase { get; set; } = RolloutPhase.Progressing;
    public int CurrentStep { get; set; } = 1;
    public string? TargetVersion { get; private init; }
    public string? TargetImage { get; private init; }
    public AgentTemplate? Previous { get; private init; }
    public List<string> FailedNodes { get; private init; } = [];
    public List<V1Alpha1AgentVersion.StepRecord> History { get; private init; } = [];
    public (string Reason, string Message)? Progress { get; set; }

    public static RolloutState From(V1Alpha1AgentVersion.VersionStatus? status) => new()
    {
        Phase = status?.Phase ?? RolloutPhase.Progressing,
        CurrentStep = status?.CurrentStep ?? 1,
        TargetVersion = status?.TargetVersion,
        TargetImage = status?.TargetImage,
        Previous = status?.PreviousVersion is { } version && status.PreviousImage is { } image ? new AgentTemplate(version, image) : null,
        FailedNodes = [.. status?.FailedNodes ?? []],
        History = [.. status?.StepHistory ?? []],
    };

    public static RolloutState Start(AgentTemplate target, AgentTemplate? previous, DateTimeOffset now)
    {
        var state = new RolloutState { TargetVersion = target.Version, TargetImage = target.Image, Previous = previous };
        state.Record(1, now);
        return state;
    }

    /// <summary>The history entry of a step, added (started now) when missing.</summary>
    public V1Alpha1AgentVersion.StepRecord Record(int step, DateTimeOffset now)
    {
        var record = History.FirstOrDefault(r => r.Step == step);
        if (record is null)
        {
            record = new V1Alpha1AgentVersion.StepRecord { Step = step, StartedAt = Conditions.Truncate(now) };
            History.Add(record);
        }
        return record;
    }

    /// <summary>The first failed nodes with why, as conditions, Events and the step history say it.</summary>
    public string FailureReasons(FleetHealth health) =>
        string.Join("; ", FailedNodes.Take(5).Select(n => $"{n}: {health.Failed.GetValueOrDefault(n) ?? "failed earlier"}"));

    public void WriteTo(V1Alpha1AgentVersion.VersionStatus status, int totalSteps, Fleet fleet, FleetHealth health, long? generation, DateTimeOffset now)
    {
        status.Phase = Phase;
        status.CurrentStep = CurrentStep;
        status.TotalSteps = totalSteps;
        status.TotalNodes = fleet.Nodes.Count;
        status.UpdatedNodes = Phase is RolloutPhase.RollingBack or RolloutPhase.RolledBack ? 0 : health.Passed.Count;
        status.ReadyNodes = fleet.Nodes.Count(n => n.Ready);
        status.FailedNodes = FailedNodes.Count == 0 ? null : [.. FailedNodes.Take(100)];
        status.TargetVersion = TargetVersion;
        status.TargetImage = TargetImage;
        status.PreviousVersion = Previous?.Version;
        status.PreviousImage = Previous?.Image;
        status.StepHistory = History.Count == 0 ? null : [.. History.OrderBy(r => r.Step)];
        RolloutConditions.SetActive(status.Conditions!, generation, now);
        if (Progress is { } progress)
        {
            var moving = Phase is RolloutPhase.Progressing or RolloutPhase.RollingBack;
            Conditions.Set(status.Conditions!, RolloutConditions.Progressing, moving, progress.Reason, progress.Message, generation, now);
        }
        if (FailedNodes.Count > 0)
        {
            // The reasons stay in the failed step's record once the failed agents have been replaced.
            var why = History.LastOrDefault(r => r.Result == "Failed")?.Message
                ?? $"{FailedNodes.Count} updated node(s) failed the health gate: {FailureReasons(health)}";
            Conditions.Set(status.Conditions!, RolloutConditions.Healthy, false, "HealthGateFailed", why, generation, now);
        }
        else
        {
            Conditions.Set(status.Conditions!, RolloutConditions.Healthy, true, "HealthGatePassed", $"{health.Passed.Count} node(s) passed the health gate", generation, now);
        }
    }
}
