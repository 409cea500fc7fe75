using Grpc.Core;
using Ops.Sandbox.Containers.Cri;
using Ops.Sandbox.Nodes;

namespace Ops.Sandbox.Containers;

/// <summary>
/// A container of containerd, followed through the CRI as a kubelet follows it: its status polled until it
/// has exited (a kubelet relists every second; this polls faster), stopped with StopContainer (SIGTERM, then
/// SIGKILL after the timeout), exec'd into with ExecSync, and removed when disposed.
/// </summary>
internal sealed class CriContainer(CriClient cri, string id, ContainerLog log) : IContainerProcess
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    // Terminate has no grace period of its own: the kubelet waits the pod's and then calls Kill.
    private const long TerminateTimeoutSeconds = 30;
    private ContainerStatus? _exited;

    public string ContainerId { get; } = $"containerd://{id}";

    public ContainerLog? Log => log;

    public bool HasExited => _exited is not null || Status() is not { State: not ContainerState.ContainerExited };

    public int ExitCode => _exited?.ExitCode ?? Status()?.ExitCode ?? 0;

    public string? ExitReason => (_exited ?? Status())?.Reason is { Length: > 0 } reason && reason is not ("Completed" or "Error") ? reason : null;

    public async Task WaitForExitAsync(CancellationToken cancellationToken)
    {
        while (_exited is null)
        {
            ContainerStatus? status;
            try
            {
                status = (await cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id }, deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken)).Status;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // Removed behind the kubelet's back (the sandbox's containerd stopped): it has ended, killed.
                status = new ContainerStatus { State = ContainerState.ContainerExited, ExitCode = 137, Reason = "Error" };
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RpcException)
            {
                // containerd busy or restarting: asked again at the next poll.
                status = null;
            }
            if (status is { State: ContainerState.ContainerExited }) _exited = status;
            else await Task.Delay(Poll, cancellationToken);
        }
    }

    private ContainerStatus? Status()
    {
        try
        {
            return cri.Runtime.ContainerStatus(new ContainerStatusRequest { ContainerId = id }, deadline: DateTime.UtcNow + CallTimeout).Status;
        }
        catch (RpcException)
        {
            return null;
        }
    }

    public void Terminate() => _ = StopAsync(TerminateTimeoutSeconds);

    public void Kill() => _ = StopAsync(0);

    private async Task StopAsync(long timeoutSeconds)
    {
        try
        {
            await cri.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = id, Timeout = timeoutSeconds }, deadline: DateTime.UtcNow.AddSeconds(timeoutSeconds) + CallTimeout);
        }
        catch (RpcException)
        {
            // Gone already, or containerd is stopping: the sandbox's removal ends it either way.
        }
    }

    public async Task<int?> ExecAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var request = new ExecSyncRequest { ContainerId = id, Timeout = (long)Math.Ceiling(timeout.TotalSeconds) };
        request.Cmd.AddRange(command);
        try
        {
            return (await cri.Runtime.ExecSyncAsync(request, deadline: DateTime.UtcNow + timeout + CallTimeout, cancellationToken: cancellationToken)).ExitCode;
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            return null;
        }
    }

    public void Dispose()
    {
        try
        {
            cri.Runtime.RemoveContainer(new RemoveContainerRequest { ContainerId = id }, deadline: DateTime.UtcNow + CallTimeout);
        }
        catch (RpcException)
        {
            // Removed with its sandbox, or by the daemon's stop.
        }
    }
}
