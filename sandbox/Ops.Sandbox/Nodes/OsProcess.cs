using System.Diagnostics;
using Ops.Sandbox.Processes;

namespace Ops.Sandbox.Nodes;

/// <summary>A container that is a real process of this machine; its id is sandbox://PID.</summary>
internal sealed class OsProcess(Process process, ContainerLog log) : IContainerProcess
{
    public string ContainerId { get; } = $"sandbox://{process.Id}";

    public ContainerLog? Log => log;

    public bool HasExited
    {
        get
        {
            try
            {
                return process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    public int ExitCode => process.ExitCode;

    public Task WaitForExitAsync(CancellationToken cancellationToken) => process.WaitForExitAsync(cancellationToken);

    /// <summary>SIGTERM, as a kubelet sends: .NET programs stop gracefully on it.</summary>
    public void Terminate()
    {
        if (!Signals.Send(process.Id, Signals.Terminate)) Kill();
    }

    public void Kill() => process.Kill(entireProcessTree: true);

    public void Dispose() => process.Dispose();
}
