using Ops.Sandbox.Hosting;
using Ops.Sandbox.Processes;

namespace Ops.Sandbox.Nodes;

/// <summary>
/// The default node runtime: a container is a process of this machine (or one simulated in the sandbox) started
/// in its pod's own directory, which stands for its root file system: volumes are materialized there and paths
/// in env and args rewritten to it. No root needed, no isolation given.
/// </summary>
internal sealed class ProcessRuntime(IReadOnlyDictionary<string, SandboxImage> images, PodSpecResolver resolver, ApiServerLocation apiServer, SandboxWorkspace workspace, TimeProvider clock) : INodeRuntime
{
    public string Version => "sandbox://1.0";

    public async Task<IPodSandbox> RunPodSandboxAsync(PodSandboxRequest request, CancellationToken cancellationToken)
    {
        var known = await apiServer.Known.WaitAsync(cancellationToken);
        return new ProcessPodSandbox(request, images, resolver, known, workspace, clock);
    }
}
