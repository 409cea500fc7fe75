using Ops.Operator.Agents;
using Ops.Operator.Metrics;
using Prometheus;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// ops_rollout_step{agentversion}: the step each rollout is at; ops_agents{version,state}: the agents
/// the operator knows, by version and readiness, counted from the registry when scraped.
/// </summary>
public sealed class RolloutMetrics
{
    private readonly Gauge _step;

    public RolloutMetrics(OperatorMetrics metrics, AgentRegistry agents)
    {
        _step = metrics.Factory.CreateGauge("ops_rollout_step", "The step (from 1) an AgentVersion's rollout is at.", new GaugeConfiguration { LabelNames = ["agentversion"] });
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

    public void Step(string agentVersion, int step) => _step.WithLabels(agentVersion).Set(step);
}
