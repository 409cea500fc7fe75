using Ops.Sandbox.Nodes;

namespace Ops.AgentSimulation;

/// <summary>A simulated container that exited as soon as it started (an agent image that crashes).</summary>
internal sealed class ExitedContainer(string containerId, int exitCode) : IContainerProcess
{
    public string ContainerId => containerId;
    public bool HasExited => true;
    public int ExitCode => exitCode;
    public Task WaitForExitAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public void Terminate() { }
    public void Kill() { }
    public void Dispose() { }
}
