namespace Ops.Agent.Actions;

/// <summary>One action of the catalogue, registered in DI and found by its name.</summary>
public interface IAgentAction
{
    /// <summary>The name commands use (processes, check.tcp, agent.selftest, ...).</summary>
    string Name { get; }

    Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken);
}
