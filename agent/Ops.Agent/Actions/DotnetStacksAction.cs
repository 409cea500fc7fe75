using System.Text;
using System.Text.Json;
using Ops.Agent.Dotnet;
using Ops.Agent.Processes;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>
/// dotnet.stacks: the managed stack of every thread of the target's .NET process, as readable text
/// followed by the same as JSON (parameter format=text|json|both, default both).
/// </summary>
public sealed class DotnetStacksAction(ProcessLocator locator, DotnetProcessFinder finder, DotnetSessions sessions, StackSampler sampler) : IAgentAction
{
    public ActionDefinition Definition => ActionCatalogue.DotnetStacks.Definition;

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var format = context.Required(ActionCatalogue.DotnetStacks.Format);
        var process = finder.Require(locator.Select(context.Target));
        await using var connector = await sessions.ConnectAsync(process, context.Target, cancellationToken);
        var threads = await sessions.CaptureAsync(process, "stack sampling", () => sampler.SampleAsync(connector.Client, Path.Combine(context.Options.DataDirectory, "scratch"), cancellationToken));
        var output = new StringBuilder();
        if (format is "text" or "both")
        {
            foreach (var thread in threads)
            {
                output.Append($"Thread {thread.ThreadId}:\n");
                foreach (var frame in thread.Frames) output.Append($"  {frame}\n");
                output.Append('\n');
            }
        }
        if (format is "json" or "both")
        {
            output.Append(JsonSerializer.Serialize(new { pid = process.Pid, threads = threads.Select(t => new { id = t.ThreadId, frames = t.Frames }) }));
            output.Append('\n');
        }
        return ActionOutcome.Success(output.ToString(), process.Pid);
    }
}
