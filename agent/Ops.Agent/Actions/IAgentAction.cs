using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>One action of the catalogue, registered in DI and found by its name.</summary>
public interface IAgentAction
{
    /// <summary>Its entry in the shared catalogue: name and parameters, as the operator checks them too.</summary>
    ActionDefinition Definition { get; }

    /// <summary>The name commands use (processes, check.tcp, agent.selftest, ...).</summary>
    string Name => Definition.Name;

    Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken);
}
