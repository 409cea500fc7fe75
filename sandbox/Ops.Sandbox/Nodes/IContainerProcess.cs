namespace Ops.Sandbox.Nodes;

/// <summary>
/// What runs for a container: a real process, a container of a container runtime, or one simulated inside the
/// sandbox (thousands of simulated agents cost what one real agent costs). The kubelet treats all alike.
/// </summary>
public interface IContainerProcess : IDisposable
{
    /// <summary>The container id the pod's status shows: sandbox://PID for a process, containerd://ID for a container.</summary>
    string ContainerId { get; }

    bool HasExited { get; }

    int ExitCode { get; }

    /// <summary>Why it ended when the runtime says more than its exit code (OOMKilled); null otherwise.</summary>
    string? ExitReason => null;

    /// <summary>Its output, once it has started; null when it writes none the kubelet can show.</summary>
    ContainerLog? Log => null;

    Task WaitForExitAsync(CancellationToken cancellationToken);

    /// <summary>Asks it to stop (SIGTERM for a process).</summary>
    void Terminate();

    /// <summary>Stops it at once (SIGKILL for a process).</summary>
    void Kill();

    /// <summary>Runs a command in it, as an exec probe does; returns the exit code. Null when the runtime cannot.</summary>
    Task<int?> ExecAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) => Task.FromResult<int?>(null);
}
