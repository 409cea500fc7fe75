using System.Text.Json.Nodes;
using Grpc.Core;
using Ops.Sandbox.Containers.Cri;
using Ops.Sandbox.Nodes;

namespace Ops.Sandbox.Containers;

/// <summary>
/// One pod's CRI sandbox: pulls each container's image per its pull policy, creates and starts the container
/// with the config a kubelet would send (<see cref="CriContainerConfig"/>), and on disposal stops and removes the
/// sandbox with whatever containers are left, then the pod's cgroup.
/// </summary>
internal sealed class CriPodSandbox(ContainerdDaemon daemon, string id, PodSandboxConfig config, PodSandboxRequest request, PodSpecResolver resolver, Uri apiServer) : IPodSandbox
{
    public async Task<IContainerProcess> StartContainerAsync(JsonObject spec, int attempt, CancellationToken cancellationToken)
    {
        try
        {
            return await StartAsync(spec, attempt, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            // containerd restarting, say: the kubelet tries again after its backoff, as for any failed start.
            throw new ContainerStartException(ContainerStartException.RunContainerError, CriErrors.Describe(e), e);
        }
    }

    private async Task<IContainerProcess> StartAsync(JsonObject spec, int attempt, CancellationToken cancellationToken)
    {
        var image = await PullAsync(spec, cancellationToken);
        ContainerConfig container;
        try
        {
            // One directory for the pod: its containers share its emptyDirs, as a kubelet shares them.
            var volumes = Path.Combine(request.Directory, "volumes");
            var mounts = resolver.Mounts(request.Pod, spec, volumes, request.NodeRoot);
            var env = resolver.Environment(request.Pod, spec, request.Node, request.PodIp);
            container = CriContainerConfig.Build(request.Pod, spec, attempt, image, mounts, env, apiServer);
        }
        catch (PodSpecResolver.ConfigException e)
        {
            throw new ContainerStartException(ContainerStartException.CreateContainerConfigError, e.Message, e);
        }
        Directory.CreateDirectory(Path.Combine(config.LogDirectory, (string?)spec["name"] ?? ""));
        string containerId;
        try
        {
            containerId = (await daemon.Cri.Runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = id, Config = container, SandboxConfig = config }, cancellationToken: cancellationToken)).ContainerId;
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw new ContainerStartException(ContainerStartException.CreateContainerError, CriErrors.Describe(e), e);
        }
        var started = new CriContainer(daemon.Cri, containerId, new ContainerLog(Path.Combine(config.LogDirectory, container.LogPath), CriFormat: true));
        try
        {
            await daemon.Cri.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = containerId }, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            started.Dispose();
            throw new ContainerStartException(ContainerStartException.RunContainerError, CriErrors.Describe(e), e);
        }
        return started;
    }

    /// <summary>
    /// The image per the container's imagePullPolicy (Always for :latest or no tag, IfNotPresent otherwise, as the
    /// API server defaults it); its status afterwards (the user it runs as).
    /// </summary>
    private async Task<Image> PullAsync(JsonObject spec, CancellationToken cancellationToken)
    {
        var reference = (string?)spec["image"] ?? "";
        var tag = SandboxImage.TagOf(reference);
        var policy = (string?)spec["imagePullPolicy"] ?? (tag is null or "latest" ? "Always" : "IfNotPresent");
        var imageSpec = new ImageSpec { Image = reference };
        var present = (await daemon.Cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = imageSpec }, cancellationToken: cancellationToken)).Image;
        if (present is not null && policy != "Always") return present;
        if (policy == "Never") throw new ContainerStartException(ContainerStartException.ErrImageNeverPull, $"Container image \"{reference}\" is not present with pull policy of Never");
        try
        {
            await daemon.Cri.Images.PullImageAsync(new PullImageRequest { Image = imageSpec, SandboxConfig = config }, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw new ContainerStartException(ContainerStartException.ErrImagePull, CriErrors.Describe(e), e);
        }
        return (await daemon.Cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = imageSpec }, cancellationToken: cancellationToken)).Image
            ?? throw new ContainerStartException(ContainerStartException.ErrImagePull, $"image \"{reference}\" was pulled but containerd does not know it");
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await daemon.Cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = id }, cancellationToken: timeout.Token);
            await daemon.Cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id }, cancellationToken: timeout.Token);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            // What is left is removed with the daemon, which removes every sandbox it still has.
        }
        Cgroups.Remove(config.Linux.CgroupParent);
    }
}
