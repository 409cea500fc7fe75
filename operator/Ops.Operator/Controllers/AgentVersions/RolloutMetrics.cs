using Ops.Operator.Agents;
using Ops.Operator.Metrics;
using Prometheus;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// ops_rollout_step{agentversion}: the step each rollout is at; ops_rollout_phase{agentversion,phase}: its
/// phase; ops_agents{version,state}: the agents
/// the operator knows, by version and readiness, counted from the registry when scraped.
/// </summary>
public sealed class RolloutMetrics
{
    private readonly Gauge _step;
    private readonly Gauge _phase;

    public RolloutMetrics(OperatorMetrics metrics, AgentRegistry agents)
    {
        _step = metrics.Factory.CreateGauge("ops_rollout_step", "The step (from 1) an AgentVersion's rollout is at.", new GaugeConfiguration { LabelNames = ["agentversion"] });
        _phase = metrics.Factory.CreateGauge("ops_rollout_phase", "1 for the phase an AgentVersion's rollout is in (the alerts watch Progressing, RollingBack, RolledBack, Failed).", new GaugeConfiguration { LabelNames = ["agentversion", "phase"] });
        var byVersion = metrics.Factory.CreateGauge("ops_agents", "Agents known to the operator, by version and state (ready, not_ready).", new GaugeConfiguration { LabelNames = ["version", "state"] });
        metrics.Registry.AddBeforeCollectCallback(() =>
        {
            var counts = agents.All.GroupBy(a => (Version: a.Version ?? "unknown", State: a.Ready ? "ready" : "not_ready")).ToDictionary(g => g.Key, g => g.Count());
            foreach (var labels in byVersion.GetAllLabelValues().ToList())
            {
                if (!counts.ContainsKey((labels[0], labels[1]))) byVersion.RemoveLabelled(labels);
            }
            foreach (var ((version, state), count) in counts) byVersion.WithLabels(version, state).Set(count);
        });
    }

    public void Record(string agentVersion, int step, string phase)
    {
        _step.WithLabels(agentVersion).Set(step);
        foreach (var labels in _phase.GetAllLabelValues().Where(l => l[0] == agentVersion && l[1] != phase).ToList()) _phase.RemoveLabelled(labels);
        _phase.WithLabels(agentVersion, phase).Set(1);
    }
}
