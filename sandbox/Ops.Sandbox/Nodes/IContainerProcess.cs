namespace Ops.Sandbox.Nodes;

/// <summary>
/// What runs for a container: a real process, or a simulated one inside the sandbox (thousands of
/// simulated agents cost what one real agent costs). The kubelet treats both alike.
/// </summary>
public interface IContainerProcess : IDisposable
{
    /// <summary>The container id the pod's status shows: sandbox://PID for a process.</summary>
    string ContainerId { get; }

    bool HasExited { get; }

    int ExitCode { get; }

    Task WaitForExitAsync(CancellationToken cancellationToken);

    /// <summary>Asks it to stop (SIGTERM for a process).</summary>
    void Terminate();

    /// <summary>Stops it at once (SIGKILL for a process).</summary>
    void Kill();
}
