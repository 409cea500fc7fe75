using Ops.Sandbox.Nodes;

namespace Ops.AgentSimulation;

/// <summary>A simulated agent as the kubelet sees it: a container that runs until stopped; stopping it cuts its connections.</summary>
internal sealed class SimulatedAgentProcess(SimulatedAgent agent, Action<SimulatedAgent> stop) : IContainerProcess
{
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string ContainerId => $"sandbox-simulated://{agent.Address}";

    public bool HasExited => _exited.Task.IsCompleted;

    public int ExitCode => _exited.Task.IsCompleted ? _exited.Task.Result : throw new InvalidOperationException("the simulated agent has not exited");

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _exited.Task.WaitAsync(cancellationToken);

    public void Terminate() => Exit(0);

    /// <summary>137, as for a process killed by SIGKILL.</summary>
    public void Kill() => Exit(137);

    private void Exit(int code)
    {
        if (!_exited.TrySetResult(code)) return;
        stop(agent);
    }

    public void Dispose() => Exit(0);
}
