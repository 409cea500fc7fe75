using Ops.Agent.Artifacts;
using Ops.Agent.Dotnet;
using Ops.Agent.Processes;
using Ops.Agent.V1;

namespace Ops.Agent.Actions;

/// <summary>
/// dotnet.trace: an EventPipe trace of the target .NET process over <c>duration</c> (default 5s) with a
/// <c>profile</c> (cpu-sampling, gc) or explicit <c>providers</c>, stored as a .nettrace artifact that
/// TraceEvent, PerfView and dotnet-trace open. A heavy action: one at a time per node by default.
/// </summary>
public sealed class DotnetTraceAction(ProcessLocator locator, DotnetProcessFinder finder, DotnetSessions sessions, ArtifactStore artifacts, HeavyActionGate gate) : IAgentAction
{
    public string Name => "dotnet.trace";

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var duration = context.Duration("duration", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
        var providers = TraceProfiles.Resolve(context.Optional("profile"), context.Optional("providers"));
        var process = finder.Require(locator.Select(context.Target));
        var (slot, waited) = await gate.EnterAsync(cancellationToken);
        using (slot)
        {
            await using var connector = await sessions.ConnectAsync(process, context.Target, cancellationToken);
            ArtifactInfo artifact;
            try
            {
                artifact = await sessions.CaptureAsync(process, "trace", () => artifacts.CreateAsync(context.CommandUid, context.TargetKey, "trace.nettrace", "application/x-nettrace", async (output, ct) =>
                {
                    using var session = await connector.Client.StartEventPipeSessionAsync(providers, requestRundown: true, circularBufferMB: 256, ct);
                    var copy = session.EventStream.CopyToAsync(output, ct);
                    try
                    {
                        // The stream ends early when the process exits.
                        await Task.WhenAny(Task.Delay(duration, ct), copy);
                        ct.ThrowIfCancellationRequested();
                    }
                    finally
                    {
                        await session.StopAsync(CancellationToken.None);
                        await copy;
                    }
                }, cancellationToken));
            }
            catch (ActionParameterException)
            {
                artifacts.Discard(context.CommandUid, context.TargetKey, "trace.nettrace");
                throw;
            }
            var summary = $"trace of process {process.Pid} for {duration.TotalSeconds:0.###}s with {string.Join(", ", providers.Select(p => p.Name))}{(waited > TimeSpan.FromMilliseconds(100) ? $" (waited {waited.TotalSeconds:0.#}s for a heavy-action slot)" : "")}\n"
                + $"artifact {artifact.Name}: {artifact.SizeBytes} bytes, sha256 {artifact.Sha256}\n";
            return ActionOutcome.Success(summary, process.Pid, [artifact]);
        }
    }
}
