using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Extensions.Logging;
using Ops.Agent.Artifacts;
using Ops.Agent.Dotnet;
using Ops.Agent.Processes;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>
/// dotnet.dump: a process dump (<c>type</c> mini, heap or full; default mini) stored as an artifact, and analysed on the
/// node unless <c>analyze</c> is false (<see cref="Dumps.DumpAnalyses"/>; a failed analysis keeps the dump). The
/// runtime writes the dump inside the target's own mount namespace, so it goes to the target's TMPDIR and
/// is moved from there (through /proc/PID/root) into the artifact store. Refused up front when the
/// target's disk or the artifact budget has less room than the dump is expected to take.
/// </summary>
public sealed class DotnetDumpAction(ProcessLocator locator, DotnetProcessFinder finder, DotnetSessions sessions, ArtifactStore artifacts, HeavyActionGate gate,
    Dumps.DumpAnalyses analyses, ILogger<DotnetDumpAction> logger) : IAgentAction
{
    /// <summary>How long a cut dump is still awaited so its file can be deleted: the runtime's createdump goes on when the request is abandoned.</summary>
    private static readonly TimeSpan FinishGrace = TimeSpan.FromSeconds(60);

    public ActionDefinition Definition => ActionCatalogue.DotnetDump.Definition;

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var type = context.Required(ActionCatalogue.DotnetDump.Type);
        var dumpType = type switch
        {
            "mini" => DumpType.Normal,
            "heap" => DumpType.WithHeap,
            "full" => DumpType.Full,
            _ => throw new ActionParameterException($"parameter \"type\" must be mini, heap or full, not \"{type}\""),
        };
        var selected = locator.Select(context.Target);
        var process = finder.Require(selected);
        // A mini dump holds stacks and module lists; heap and full dumps hold the process's memory.
        var expected = dumpType == DumpType.Normal ? Math.Max(16L << 20, selected.ResidentBytes / 5) : selected.ResidentBytes + (selected.ResidentBytes / 5);
        var tmp = finder.TempDirectoryOf(process.Pid);
        var hostTmp = ContainerPath.Resolve(locator.Proc.RootOf(process.Pid), tmp);
        var free = new DriveInfo(hostTmp).AvailableFreeSpace;
        if (free < expected) throw new ActionParameterException($"the target's {tmp} has {free >> 20} MiB free; a {type} dump of process {process.Pid} needs about {expected >> 20} MiB");
        var (slot, waited) = await gate.EnterAsync(cancellationToken);
        using (slot)
        {
            // Asked once the slot is ours: a capture still running reserves what is left of the budget until it ends,
            // so asking before waiting refused a dump queued behind a trace on the same node (0 MiB left).
            var budgetLeft = artifacts.RemainingBytes;
            if (budgetLeft < expected) throw new ActionParameterException($"a {type} dump of process {process.Pid} needs about {expected >> 20} MiB; this agent's artifact budget has {budgetLeft >> 20} MiB left");
            var file = $"ops-dump-{Guid.NewGuid():n}.dmp";
            var inside = $"{tmp.TrimEnd('/')}/{file}";
            var outside = Path.Combine(hostTmp, file);
            try
            {
                await using (var connector = await sessions.ConnectAsync(process, context.Target, cancellationToken))
                {
                    await WriteAsync(connector.Client, dumpType, inside, outside, cancellationToken);
                }
                var artifact = await artifacts.CreateAsync(context.CommandUid, context.TargetKey, $"{type}.dmp", "application/x-coredump", async (output, ct) =>
                {
                    await using var dump = File.OpenRead(outside);
                    await dump.CopyToAsync(output, ct);
                }, cancellationToken);
                var written = $"{type} dump of process {process.Pid}{ArtifactCaptures.WaitNote(waited)}\nartifact {artifact.Name}: {artifact.SizeBytes} bytes, sha256 {artifact.Sha256}\n";
                if (!context.Flag(ActionCatalogue.DotnetDump.Analyze)) return ActionOutcome.Success(written, process.Pid, [artifact]);
                try
                {
                    // Analysed from the store: the dump is kept whatever the analysis does.
                    var (findings, details, analysis) = await analyses.AnalyzeAsync(context, Path.Combine(artifacts.Directory, artifact.Name), artifact.Name, finder.DebuggingLibraryOf(process.Pid), cancellationToken);
                    return ActionOutcome.Success($"{findings}{written}analysis artifact {analysis.Name}: {analysis.SizeBytes} bytes, sha256 {analysis.Sha256}\n{details}", process.Pid, [artifact, analysis]);
                }
                catch (ActionParameterException e)
                {
                    return ActionOutcome.Success($"{written}the dump was not analysed: {e.Message}\n", process.Pid, [artifact]);
                }
            }
            catch (ServerErrorException e)
            {
                throw new ActionParameterException($"the runtime could not write the dump: {e.Message}");
            }
            finally
            {
                File.Delete(outside);
            }
        }
    }

    /// <summary>
    /// Cancelling the request does not stop the runtime's createdump, which would then create the file after
    /// the cleanup ran; so a cut dump is awaited (for a bounded time) before the cancellation is passed on.
    /// </summary>
    private async Task WriteAsync(DiagnosticsClient client, DumpType dumpType, string inside, string outside, CancellationToken cancellationToken)
    {
        using var writing = new CancellationTokenSource();
        await using (cancellationToken.Register(() => writing.CancelAfter(FinishGrace)))
        {
            try
            {
                await client.WriteDumpAsync(dumpType, inside, logDumpGeneration: false, writing.Token);
            }
            catch (OperationCanceledException) when (writing.IsCancellationRequested)
            {
                AgentLog.DumpStillBeingWritten(logger, outside, FinishGrace);
            }
            catch (ServerErrorException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
    }
}
