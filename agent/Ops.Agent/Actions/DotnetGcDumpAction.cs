using System.Globalization;
using System.Text;
using System.Text.Json;
using Ops.Agent.Artifacts;
using Ops.Agent.Dotnet;
using Ops.Agent.Processes;
using Ops.Agent.V1;

namespace Ops.Agent.Actions;

/// <summary>
/// dotnet.gcdump: a heap snapshot of the target .NET process: the top types by size and by count in the
/// output (parameter top, default 20), and the snapshot's events as a .nettrace artifact (PerfView opens
/// it as a heap). A heavy action: it induces a full GC.
/// </summary>
public sealed class DotnetGcDumpAction(ProcessLocator locator, DotnetProcessFinder finder, DotnetSessions sessions, HeapSnapshotter snapshotter, ArtifactStore artifacts, HeavyActionGate gate) : IAgentAction
{
    public string Name => "dotnet.gcdump";

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var top = context.Integer("top", 20, 1, 1000);
        var process = finder.Require(locator.Select(context.Target));
        var (slot, waited) = await gate.EnterAsync(cancellationToken);
        using (slot)
        {
            await using var connector = await sessions.ConnectAsync(process, context.Target, cancellationToken);
            IReadOnlyList<HeapTypeStat> heap = [];
            ArtifactInfo artifact;
            try
            {
                artifact = await sessions.CaptureAsync(process, "heap snapshot", () => artifacts.CreateAsync(context.CommandUid, context.TargetKey, "heap.nettrace", "application/x-nettrace",
                    async (output, ct) => heap = await snapshotter.SnapshotAsync(connector.Client, output, ct), cancellationToken));
            }
            catch (ActionParameterException)
            {
                artifacts.Discard(context.CommandUid, context.TargetKey, "heap.nettrace");
                throw;
            }
            var output = new StringBuilder();
            output.Append(CultureInfo.InvariantCulture, $"heap of process {process.Pid}: {heap.Sum(h => h.Count)} objects, {heap.Sum(h => h.Bytes)} bytes{(waited > TimeSpan.FromMilliseconds(100) ? $" (waited {waited.TotalSeconds:0.#}s for a heavy-action slot)" : "")}\n");
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
}
