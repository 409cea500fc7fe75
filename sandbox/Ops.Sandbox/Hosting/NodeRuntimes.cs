using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ops.Sandbox.Containers;
using Ops.Sandbox.Nodes;
using Ops.Sandbox.Processes;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Hosting;

/// <summary>Which runtime the nodes' kubelet drives: containerd when the options ask for it (started first), else processes.</summary>
internal static class NodeRuntimes
{
    /// <summary>The sandbox's containerd, when its options ask for one and it has nodes; null otherwise. A failed start disposes the workspace.</summary>
    public static async Task<ContainerdDaemon?> StartContainerdAsync(SandboxOptions options, SandboxWorkspace workspace, Action<ILoggingBuilder>? logging, CancellationToken cancellationToken)
    {
        if (options.Containerd is not { } containerd || options.Nodes == 0) return null;
        using var loggers = LoggerFactory.Create(l => logging?.Invoke(l));
        try
        {
            return await ContainerdDaemon.StartAsync(containerd, workspace, loggers.CreateLogger<ContainerdDaemon>(), cancellationToken);
        }
        catch
        {
            workspace.Dispose();
            throw;
        }
    }

    public static void Add(IServiceCollection services, SandboxOptions options, ContainerdDaemon? containerd, SandboxWorkspace workspace)
    {
        services.AddSingleton(sp => new PodSpecResolver(sp.GetRequiredService<ObjectStore>(), sp.GetRequiredService<Security.ServiceAccountTokens>()));
        if (containerd is not null)
        {
            services.AddSingleton(containerd);
            services.AddSingleton<INodeRuntime, CriRuntime>();
        }
        else
        {
            services.AddSingleton<INodeRuntime>(sp => new ProcessRuntime(options.Images, sp.GetRequiredService<PodSpecResolver>(), sp.GetRequiredService<ApiServerLocation>(), workspace, sp.GetRequiredService<TimeProvider>()));
        }
    }
}
