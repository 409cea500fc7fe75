using Ops.Agent.Processes;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>check.process: the target process exists and is not a zombie.</summary>
public sealed class CheckProcessAction(ProcessLocator locator) : IAgentAction
{
    public ActionDefinition Definition => ActionCatalogue.CheckProcess;

    public Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var process = locator.Select(context.Target);
        return Task.FromResult(process.State == 'Z'
            ? ActionOutcome.Failure($"process {process.Pid} ({process.Name}) is a zombie")
            : ActionOutcome.Success($"process {process.Pid} ({process.Name}) is alive, state {process.State}", process.Pid));
    }
}
