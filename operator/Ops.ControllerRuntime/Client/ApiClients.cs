using k8s;

namespace Ops.ControllerRuntime.Client;

/// <summary>
/// Kubernetes clients whose connections are checked for life, as client-go checks its HTTP/2 connections:
/// a connection on which nothing has arrived for <see cref="PingDelay"/> is pinged, and one whose ping gets
/// no answer within <see cref="PingTimeout"/> is closed, failing its requests instead of leaving them (and
/// every later request multiplexed onto it) to hang on a socket the API server has dropped.
/// </summary>
public static class ApiClients
{
    /// <summary>client-go's ReadIdleTimeout.</summary>
    public static readonly TimeSpan PingDelay = TimeSpan.FromSeconds(30);

    /// <summary>client-go's PingTimeout.</summary>
    public static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(15);

    public static Kubernetes Create(KubernetesClientConfiguration config, TimeSpan? pingDelay = null, TimeSpan? pingTimeout = null, params DelegatingHandler[] handlers)
    {
        var setup = config.FirstMessageHandlerSetup;
        config.FirstMessageHandlerSetup = handler =>
        {
            setup?.Invoke(handler);
            if (handler is not SocketsHttpHandler sockets) return;
            sockets.KeepAlivePingDelay = pingDelay ?? PingDelay;
            sockets.KeepAlivePingTimeout = pingTimeout ?? PingTimeout;
            // Idle connections too: the next request would otherwise be the one to find a dead connection.
            sockets.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always;
        };
        return new Kubernetes(config, handlers);
    }
}
