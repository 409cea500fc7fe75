namespace Ops.Agent.Actions;

/// <summary>file.tail: the last N lines (default 100) of a file inside the target container.</summary>
public sealed class FileTailAction(TargetFiles files) : IAgentAction
{
    public string Name => "file.tail";

    public IReadOnlyList<string> Parameters => ["path", "lines"];

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var count = context.Integer("lines", 100, 1, 10_000);
        var (hostPath, pid) = files.Resolve(context);
        var lines = await TargetFiles.ReadLinesAsync(hostPath, context.Required("path"), cancellationToken);
        return ActionOutcome.Success(string.Join('\n', lines.TakeLast(count)) + (lines.Count > 0 ? "\n" : ""), pid);
    }
}
