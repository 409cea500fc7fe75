using System.Globalization;
using System.Text;
using System.Text.Json;
using Ops.Agent.Dotnet;
using Ops.Agent.Processes;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>dotnet.counters: the target .NET process's runtime counters over <c>duration</c> (default 5s), as text then JSON.</summary>
public sealed class DotnetCountersAction(ProcessLocator locator, DotnetProcessFinder finder, DotnetSessions sessions, CounterSampler sampler) : IAgentAction
{
    public ActionDefinition Definition => ActionCatalogue.DotnetCounters.Definition;

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var duration = context.Duration(ActionCatalogue.DotnetCounters.Duration);
        var process = finder.Require(locator.Select(context.Target));
        await using var connector = await sessions.ConnectAsync(process, context.Target, cancellationToken);
        var counters = await sessions.CaptureAsync(process, "counter sampling", () => sampler.SampleAsync(connector.Client, duration, cancellationToken));
        if (counters.Count == 0) return ActionOutcome.Failure($"process {process.Pid} published no System.Runtime counters within {duration.TotalSeconds:0.###}s", exitCode: 1);
        var output = new StringBuilder();
        foreach (var c in counters)
        {
            output.Append(CultureInfo.InvariantCulture, $"{c.Name}\t{c.Value:0.###}{(c.Unit.Length > 0 ? " " + c.Unit : "")}{(c.IsTotal ? $" (total over {duration.TotalSeconds:0.###}s)" : "")}\t{c.DisplayName}\n");
        }
        output.Append(JsonSerializer.Serialize(new { pid = process.Pid, durationSeconds = duration.TotalSeconds, counters = counters.ToDictionary(c => c.Name, c => c.Value) }));
        output.Append('\n');
        return ActionOutcome.Success(output.ToString(), process.Pid);
    }
}
