using System.Text;
using Ops.Agent.Actions;
using Ops.Agent.V1.Actions;

namespace Ops.AgentSimulation;

/// <summary>
/// An action of the catalogue as a simulated agent runs it: no work, the simulation's latency, then success
/// (a few bytes naming the node) or failure as the simulation decides. Everything around it (the journal,
/// attach and cancel, the start delay, the timeout, the parameter checks) is the real agent's ExecutionManager.
/// </summary>
internal sealed class SimulatedAction(ActionDefinition definition, SimulatedAgents simulation, string node, bool selfTestFails) : IAgentAction
{
    public ActionDefinition Definition => definition;

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var fails = definition == ActionCatalogue.AgentSelfTest ? selfTestFails : simulation.Fails(context.CommandUid, context.TargetKey);
        simulation.Stats.Started(context.CommandUid, context.TargetKey, fails);
        try
        {
            var latency = simulation.Options.LatencyOf(definition.Name);
            if (latency > TimeSpan.Zero) await Task.Delay(latency, simulation.Clock, cancellationToken);
            return fails ? ActionOutcome.Failure($"simulated failure of {definition.Name} on {node}") : ActionOutcome.Success(Output(simulation.Options.OutputBytes));
        }
        finally
        {
            simulation.Stats.Finished(context.CommandUid, simulation.Clock.GetUtcNow());
        }
    }

    private string Output(int bytes)
    {
        var line = $"{definition.Name} on {node} (simulated)\n";
        var output = new StringBuilder(bytes);
        while (output.Length < bytes) output.Append(line);
        return output.ToString(0, bytes);
    }
}
