using Microsoft.Diagnostics.NETCore.Client;
using Ops.Agent.Actions;
using Ops.Agent.Artifacts;
using Ops.Agent.V1;

namespace Ops.Agent.Dotnet;

/// <summary>
/// How a heavy capture stores what it streams from a process: it waits its turn on the node, connects,
/// writes the artifact within the budget, and when the process exits or stops answering midway it fails
/// with that reason and leaves no partial artifact.
/// </summary>
public sealed class ArtifactCaptures(DotnetSessions sessions, ArtifactStore artifacts, HeavyActionGate gate)
{
    /// <summary>The stored artifact, and a note for the output when the capture had to wait for a slot.</summary>
    public async Task<(ArtifactInfo Artifact, string WaitNote)> CaptureAsync(ActionContext context, DotnetProcess process, string what, string fileName,
        Func<DiagnosticsClient, Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var (slot, waited) = await gate.EnterAsync(cancellationToken);
        using (slot)
        {
            await using var connection = await sessions.ConnectAsync(process, context.Target, cancellationToken);
            try
            {
                var artifact = await sessions.CaptureAsync(process, what, () => artifacts.CreateAsync(context.CommandUid, context.TargetKey, fileName, "application/x-nettrace",
                    (output, ct) => write(connection.Client, output, ct), cancellationToken));
                return (artifact, WaitNote(waited));
            }
            catch (ActionParameterException)
            {
                artifacts.Discard(context.CommandUid, context.TargetKey, fileName);
                throw;
            }
        }
    }

    /// <summary>" (waited Ns for a heavy-action slot)" when the wait was noticeable, else nothing.</summary>
    public static string WaitNote(TimeSpan waited) => waited > TimeSpan.FromMilliseconds(100) ? $" (waited {waited.TotalSeconds:0.#}s for a heavy-action slot)" : "";
}
