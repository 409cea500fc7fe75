using System.Text.Json.Nodes;
using Grpc.Core;
using Ops.Sandbox.Containers.Cri;
using Ops.Sandbox.Hosting;
using Ops.Sandbox.Nodes;

namespace Ops.Sandbox.Containers;

/// <summary>
/// The containerd node runtime: each pod is a CRI pod sandbox of the sandbox's own containerd, with the pod's pid
/// and ipc namespaces (the node's for hostPID/hostIPC pods) and, as there are no pod networks here, the host's
/// network namespace: a pod keeps its loopback pod IP, which it binds to. Its cgroups go under the daemon's.
/// </summary>
internal sealed class CriRuntime(ContainerdDaemon daemon, PodSpecResolver resolver, ApiServerLocation apiServer) : INodeRuntime
{
    public string Version => daemon.Version;

    public async Task<IPodSandbox> RunPodSandboxAsync(PodSandboxRequest request, CancellationToken cancellationToken)
    {
        var apiServerUrl = await apiServer.Known.WaitAsync(cancellationToken);
        var pod = request.Pod;
        var metadata = pod["metadata"] as JsonObject ?? [];
        var spec = pod["spec"] as JsonObject ?? [];
        var uid = (string?)metadata["uid"] ?? "";
        var logDirectory = Path.Combine(request.Directory, "logs");
        Directory.CreateDirectory(logDirectory);
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = (string?)metadata["name"] ?? "", Namespace = (string?)metadata["namespace"] ?? "", Uid = uid },
            // The node's network namespace comes with the node's UTS namespace: runc refuses a hostname of the pod's own.
            Hostname = "",
            LogDirectory = logDirectory,
            Linux = new LinuxPodSandboxConfig
            {
                CgroupParent = $"{daemon.CgroupParent}/pod{uid}",
                SecurityContext = new LinuxSandboxSecurityContext
                {
                    NamespaceOptions = Namespaces(spec),
                    Privileged = (spec["containers"] as JsonArray ?? []).Any(c => (bool?)c?["securityContext"]?["privileged"] == true),
                },
            },
        };
        foreach (var (key, value) in PodLabels(metadata, request.Node)) config.Labels[key] = value;
        try
        {
            var answer = await daemon.Cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config }, cancellationToken: cancellationToken);
            return new CriPodSandbox(daemon, answer.PodSandboxId, config, request, resolver, apiServerUrl);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            throw new ContainerStartException(ContainerStartException.RunContainerError, CriErrors.Describe(e), e);
        }
    }

    /// <summary>
    /// As a kubelet sets them: the pid namespace is each container's own, the pod's with shareProcessNamespace,
    /// the node's with hostPID; ipc the pod's or the node's; the network always the node's (see the class).
    /// </summary>
    public static NamespaceOption Namespaces(JsonObject spec) => new()
    {
        Network = NamespaceMode.Node,
        Pid = (bool?)spec["hostPID"] == true ? NamespaceMode.Node : (bool?)spec["shareProcessNamespace"] == true ? NamespaceMode.Pod : NamespaceMode.Container,
        Ipc = (bool?)spec["hostIPC"] == true ? NamespaceMode.Node : NamespaceMode.Pod,
    };

    public static Dictionary<string, string> PodLabels(JsonObject metadata, SimulatedNode node) => new(StringComparer.Ordinal)
    {
        ["io.kubernetes.pod.name"] = (string?)metadata["name"] ?? "",
        ["io.kubernetes.pod.namespace"] = (string?)metadata["namespace"] ?? "",
        ["io.kubernetes.pod.uid"] = (string?)metadata["uid"] ?? "",
        ["ops.sandbox/node"] = node.Name,
    };
}
