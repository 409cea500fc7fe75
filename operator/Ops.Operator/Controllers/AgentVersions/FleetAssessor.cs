using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// Judges a rollout's fleet: each node's agent updated and healthy, on its way, failed, or unavailable.
/// Readiness and restarts come from the pods; an updated, Ready agent is asked by <see cref="AgentHealthGate"/>.
/// </summary>
public sealed class FleetAssessor(AgentHealthGate gate)
{
    /// <summary>Restarts of an updated agent that make its node fail at once rather than at the ready timeout.</summary>
    private const int CrashLoopRestarts = 2;

    /// <summary>Drops the gate's verdicts of pods that no longer exist.</summary>
    public void Forget(IReadOnlySet<string> livePodUids) => gate.Forget(livePodUids);

    /// <summary>Judges every node against the template being converged to: updated and healthy, on its way, failed, or unavailable.</summary>
    public async Task<FleetHealth> AssessAsync(V1Alpha1AgentVersion av, Fleet fleet, AgentTemplate template, bool rollingBack, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var healthGate = av.Spec.Strategy?.HealthGate ?? new();
        var minReady = TimeSpan.FromSeconds(healthGate.MinReadySecondsOrDefault());
        var readyTimeout = TimeSpan.FromSeconds(healthGate.ReadyTimeoutSecondsOrDefault());
        var health = new FleetHealth();
        var checks = new List<(FleetNode Node, Task<GateResult> Result)>();
        foreach (var node in fleet.Nodes)
        {
            if (!node.RunsTarget)
            {
                if (node.Pod is null) health.Waiting.Add(node.Name);
                if (!node.Ready) health.Unavailable++;
                continue;
            }
            if (!node.Ready)
            {
                health.Unavailable++;
                if (node.Restarts >= CrashLoopRestarts) health.Failed[node.Name] = $"the agent container restarted {node.Restarts} times without becoming Ready";
                else if (node.CreatedAt is { } created && now - created >= readyTimeout) health.Failed[node.Name] = $"the agent was not Ready within {readyTimeout.TotalSeconds:0}s";
                else
                {
                    health.Waiting.Add(node.Name);
                    if (node.CreatedAt is { } c) health.WakeAt(c + readyTimeout - now);
                }
                continue;
            }
            // A rollback restores what ran before; it needs the agents Ready, not gated again.
            if (rollingBack)
            {
                health.Passed.Add(node.Name);
                continue;
            }
            if (node.ReadySince is { } since && now - since < minReady)
            {
                health.Unavailable++;
                health.Waiting.Add(node.Name);
                health.WakeAt(since + minReady - now);
                continue;
            }
            checks.Add((node, gate.CheckAsync(av.Metadata.Uid, node.Pod!, template.Version, healthGate.SelfTestOrDefault(), cancellationToken)));
        }
        foreach (var (node, check) in checks)
        {
            var result = await check;
            switch (result.Verdict)
            {
                case GateVerdict.Passed:
                    health.Passed.Add(node.Name);
                    break;
                case GateVerdict.Failed:
                    health.Unavailable++;
                    health.Failed[node.Name] = result.Message;
                    break;
                default:
                    health.Unavailable++;
                    health.Waiting.Add(node.Name);
                    health.WakeAt(TimeSpan.FromSeconds(2));
                    break;
            }
        }
        return health;
    }
}
