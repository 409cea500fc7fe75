namespace Ops.Sandbox.Nodes;

/// <summary>
/// The container runtime a node's kubelet drives, as a kubelet drives one through the CRI: a sandbox per pod,
/// then its containers in it. The sandbox has two: processes of this machine (<see cref="ProcessRuntime"/>, the
/// default: fast, no root) and containerd (<see cref="Containers.CriRuntime"/>).
/// </summary>
internal interface INodeRuntime
{
    /// <summary>What the Node's status reports as its container runtime: <c>sandbox://1.0</c>, <c>containerd://1.6.20</c>.</summary>
    string Version { get; }

    /// <summary>Prepares what the pod's containers share; throws <see cref="ContainerStartException"/> when it cannot.</summary>
    Task<IPodSandbox> RunPodSandboxAsync(PodSandboxRequest request, CancellationToken cancellationToken);
}

/// <summary>What a pod sandbox is made for: the pod, where it runs and a directory of the kubelet's own for its files.</summary>
internal sealed record PodSandboxRequest(System.Text.Json.Nodes.JsonObject Pod, SimulatedNode Node, string PodIp, string Directory, string NodeRoot);
