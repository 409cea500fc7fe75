using System.Globalization;
using System.Text;
using System.Text.Json;
using Ops.Agent.Dotnet;
using Ops.Agent.Processes;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>
/// dotnet.gcdump: a heap snapshot of the target .NET process: the top types by size and by count in the
/// output (parameter top, default 20), and the snapshot's events as a .nettrace artifact (PerfView opens
/// it as a heap). A heavy action: it induces a full GC.
/// </summary>
public sealed class DotnetGcDumpAction(ProcessLocator locator, DotnetProcessFinder finder, HeapSnapshotter snapshotter, ArtifactCaptures captures) : IAgentAction
{
    public ActionDefinition Definition => ActionCatalogue.DotnetGcDump.Definition;

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var top = context.Integer(ActionCatalogue.DotnetGcDump.Top);
        var process = finder.Require(locator.Select(context.Target));
        IReadOnlyList<HeapTypeStat> heap = [];
        var (artifact, waitNote) = await captures.CaptureAsync(context, process, "heap snapshot", "heap.nettrace",
            async (client, stream, ct) => heap = await snapshotter.SnapshotAsync(client, stream, ct), cancellationToken);
        var output = new StringBuilder();
        output.Append(CultureInfo.InvariantCulture, $"heap of process {process.Pid}: {heap.Sum(h => h.Count)} objects, {heap.Sum(h => h.Bytes)} bytes{waitNote}\n");
        output.Append("BYTES\tCOUNT\tTYPE\n");
        foreach (var type in heap.Take(top)) output.Append(CultureInfo.InvariantCulture, $"{type.Bytes}\t{type.Count}\t{type.TypeName}\n");
        output.Append(CultureInfo.InvariantCulture, $"artifact {artifact.Name}: {artifact.SizeBytes} bytes, sha256 {artifact.Sha256}\n");
        output.Append(JsonSerializer.Serialize(new
        {
            pid = process.Pid,
            bySize = heap.Take(top).Select(t => new { type = t.TypeName, count = t.Count, bytes = t.Bytes }),
            byCount = heap.OrderByDescending(t => t.Count).Take(top).Select(t => new { type = t.TypeName, count = t.Count, bytes = t.Bytes }),
        }));
        output.Append('\n');
        return ActionOutcome.Success(output.ToString(), process.Pid, [artifact]);
    }
}
