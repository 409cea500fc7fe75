namespace Ops.Agent.Actions;

/// <summary>One action of the catalogue, registered in DI and found by its name.</summary>
public interface IAgentAction
{
    /// <summary>The name commands use (processes, check.tcp, agent.selftest, ...).</summary>
    string Name { get; }

    /// <summary>The parameters it takes, by name: the only ones it may read (<see cref="ActionContext"/> holds it to them).</summary>
    IReadOnlyList<string> Parameters { get; }

    Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken);
}
