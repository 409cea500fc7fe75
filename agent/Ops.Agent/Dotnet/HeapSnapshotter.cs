using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;
using Ops.Agent.Actions;

namespace Ops.Agent.Dotnet;

/// <summary>
/// A heap snapshot as dotnet-gcdump takes it: an EventPipe session with the GC heap-snapshot keywords
/// makes the runtime run one induced, blocking gen2 GC and walk the heap, emitting every live object's
/// type and size (GCBulkNode) and the type names (GCBulkType). The events are kept as the artifact and
/// counted into a per-type histogram while they stream.
/// </summary>
public sealed class HeapSnapshotter
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    public async Task<IReadOnlyList<HeapTypeStat>> SnapshotAsync(DiagnosticsClient client, Stream artifact, CancellationToken cancellationToken)
    {
        var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.GCHeapSnapshot);
        var names = new Dictionary<ulong, string>();
        var stats = new Dictionary<ulong, (long Count, long Bytes)>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var session = await client.StartEventPipeSessionAsync([provider], requestRundown: false, circularBufferMB: 512, cancellationToken);
        using var source = new EventPipeSource(new TeeStream(session.EventStream, artifact));
        var inducedGc = -1;
        source.Clr.GCStart += e =>
        {
            if (e.Reason == GCReason.Induced && inducedGc < 0) inducedGc = e.Count;
        };
        source.Clr.GCStop += e =>
        {
            if (e.Count == inducedGc) done.TrySetResult();
        };
        source.Clr.TypeBulkType += e =>
        {
            for (var i = 0; i < e.Count; i++) names[e.Values(i).TypeID] = e.Values(i).TypeName;
        };
        source.Clr.GCBulkNode += e =>
        {
            for (var i = 0; i < e.Count; i++)
            {
                var node = e.Values(i);
                var (count, bytes) = stats.GetValueOrDefault(node.TypeID);
                stats[node.TypeID] = (count + 1, bytes + (long)node.Size);
            }
        };
        var processing = Task.Run(source.Process, CancellationToken.None);
        try
        {
            var finished = await Task.WhenAny(done.Task, processing, Task.Delay(Timeout, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            if (finished != done.Task) throw new ActionParameterException($"the heap walk did not finish within {Timeout.TotalSeconds:0}s (the process may have exited)");
        }
        finally
        {
            try
            {
                await session.StopAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is ServerNotAvailableException or IOException)
            {
                // The process went away: the walk is reported as failed above.
            }
            await processing.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        return [.. stats.Select(s => new HeapTypeStat(names.GetValueOrDefault(s.Key) ?? $"type 0x{s.Key:x}", s.Value.Count, s.Value.Bytes)).OrderByDescending(s => s.Bytes)];
    }
}
