using System.Text;
using Ops.Agent.Processes;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>processes: the processes of the target container, or of the node.</summary>
public sealed class ProcessesAction(ProcessLocator locator) : IAgentAction
{
    public ActionDefinition Definition => ActionCatalogue.Processes;

    public Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var processes = locator.ProcessesOf(context.Target);
        if (processes.Count == 0) return Task.FromResult(ActionOutcome.Failure($"no running process found for {(context.Target.Node ? "the node" : $"container {context.Target.Container}")}"));
        var table = new StringBuilder();
        table.AppendLine("PID\tNSPID\tPPID\tSTATE\tRSS_KB\tNAME\tCOMMAND");
        foreach (var p in processes)
        {
            table.AppendLine($"{p.Pid}\t{p.NamespacePid}\t{p.ParentPid}\t{p.State}\t{p.ResidentBytes / 1024}\t{p.Name}\t{p.CommandLine}");
        }
        return Task.FromResult(ActionOutcome.Success(table.ToString(), context.Target.Node ? 0 : locator.Select(context.Target, processes).Pid));
    }
}
