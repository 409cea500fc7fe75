using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>file.tail: the last N lines (default 100) of a file inside the target container.</summary>
public sealed class FileTailAction(TargetFiles files) : IAgentAction
{
    public ActionDefinition Definition => ActionCatalogue.FileTail.Definition;

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var count = context.Integer(ActionCatalogue.FileTail.Lines);
        var (hostPath, pid) = files.Resolve(context);
        var lines = await TargetFiles.ReadLinesAsync(hostPath, context.Required(ActionCatalogue.FileTail.Path), cancellationToken);
        return ActionOutcome.Success(string.Join('\n', lines.TakeLast(count)) + (lines.Count > 0 ? "\n" : ""), pid);
    }
}
