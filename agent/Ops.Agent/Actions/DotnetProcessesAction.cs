using System.Text;
using Ops.Agent.Dotnet;
using Ops.Agent.Processes;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>dotnet.processes: the .NET processes of the target container (or node): pid, runtime version, entry assembly, command line.</summary>
public sealed class DotnetProcessesAction(ProcessLocator locator, DotnetProcessFinder finder) : IAgentAction
{
    public ActionDefinition Definition => ActionCatalogue.DotnetProcesses;

    public Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var found = locator.ProcessesOf(context.Target).Select(finder.Find).OfType<DotnetProcess>().ToList();
        if (found.Count == 0) return Task.FromResult(ActionOutcome.Failure(context.Target.Node ? "no .NET process on this node" : $"no .NET process in container {context.Target.Container}"));
        var table = new StringBuilder("PID\tNSPID\tRUNTIME\tENTRY\tCOMMAND\n");
        foreach (var p in found) table.Append($"{p.Pid}\t{p.NamespacePid}\t{p.RuntimeVersion ?? "?"}\t{p.EntryAssembly ?? "?"}\t{p.CommandLine}\n");
        return Task.FromResult(ActionOutcome.Success(table.ToString(), found.Count == 1 ? found[0].Pid : 0));
    }
}
