using Ops.Agent.Dotnet;
using Ops.Agent.Processes;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>
/// dotnet.trace: an EventPipe trace of the target .NET process over <c>duration</c> (default 5s) with a
/// <c>profile</c> (cpu-sampling, gc) or explicit <c>providers</c>, stored as a .nettrace artifact that
/// TraceEvent, PerfView and dotnet-trace open. A heavy action: one at a time per node by default.
/// </summary>
public sealed class DotnetTraceAction(ProcessLocator locator, DotnetProcessFinder finder, ArtifactCaptures captures) : IAgentAction
{
    public ActionDefinition Definition => ActionCatalogue.DotnetTrace.Definition;

    /// <summary>How long a stopping session may take to deliver its rundown.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var duration = context.Duration(ActionCatalogue.DotnetTrace.Duration);
        var providers = TraceProfiles.Resolve(context.Text(ActionCatalogue.DotnetTrace.Profile), context.Text(ActionCatalogue.DotnetTrace.Providers));
        var process = finder.Require(locator.Select(context.Target));
        var (artifact, waitNote) = await captures.CaptureAsync(context, process, "trace", "trace.nettrace", async (client, output, ct) =>
        {
            using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: true, circularBufferMB: 256, ct);
            // The stream is read until the session ends, even on a timeout: the runtime answers a stop only
            // after its rundown has been read, so a copy cancelled first left the stop waiting for ever.
            var copy = session.EventStream.CopyToAsync(output, CancellationToken.None);
            try
            {
                // The stream ends early when the process exits.
                await Task.WhenAny(Task.Delay(duration, ct), copy);
                ct.ThrowIfCancellationRequested();
            }
            finally
            {
                using var stopping = new CancellationTokenSource(StopTimeout);
                try
                {
                    await session.StopAsync(stopping.Token);
                    await copy.WaitAsync(stopping.Token);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    // A process that does not answer the stop: the session is closed by its disposal.
                }
            }
        }, cancellationToken);
        var summary = $"trace of process {process.Pid} for {duration.TotalSeconds:0.###}s with {string.Join(", ", providers.Select(p => p.Name))}{waitNote}\n"
            + $"artifact {artifact.Name}: {artifact.SizeBytes} bytes, sha256 {artifact.Sha256}\n";
        return ActionOutcome.Success(summary, process.Pid, [artifact]);
    }
}
