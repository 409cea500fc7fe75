using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Ops.Agent.Security;

namespace Ops.Operator.Agents;

/// <summary>
/// One gRPC channel per agent address, created on first use and reused (HTTP/2 multiplexes the
/// calls; extra connections open when ~100 streams are in flight). All channels share one HTTP
/// handler, whose pool keeps the connections per agent: thousands of agents cost one TLS context and
/// one handler, not one each. The operator presents its client certificate and accepts only an agent
/// certificate that chains to the Ops CA and names the agent.
/// </summary>
public sealed class AgentChannels : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly SocketsHttpHandler _handler;
    private readonly ILoggerFactory _loggers;
    private readonly Grpc.Core.Interceptors.Interceptor? _interceptor;

    /// <summary>
    /// How long an agent connection with no call in flight stays open (the pool never closes one with a call in flight).
    /// Both ways cost memory: an open connection holds about 75 KiB, mostly native TLS state, and closing it does not give
    /// that back to the node — the scale benchmark grew the operator by about 40 KiB per connection opened and closed again
    /// (10,000 one-target commands with a 5 s timeout: 950 MiB at peak, against 640 MiB with the connections kept). Keep it
    /// longer than the period of scheduled tasks over many nodes, so their runs find their connections open.
    /// </summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(5);

    public AgentChannels(X509Certificate2 clientCertificate, X509Certificate2 ca, ILoggerFactory loggers, Grpc.Core.Interceptors.Interceptor? interceptor = null, TimeProvider? clock = null,
        TimeSpan? idleTimeout = null)
    {
        _loggers = loggers;
        _interceptor = interceptor;
        var logger = loggers.CreateLogger<AgentChannels>();
        var peers = new ValidatedPeers(clock ?? TimeProvider.System);
        _handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = idleTimeout ?? DefaultIdleTimeout,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            // A plain connect of our own: with it gRPC leaves connections to this handler's pool instead of
            // running a load balancer, a subchannel and a socket wrapper per agent (one address each needs none).
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        // Built once: given as a bare certificate, every handshake would build its chain again (a tenth of a cold fan-out's CPU).
        _handler.SslOptions.ClientCertificateContext = SslStreamCertificateContext.Create(clientCertificate, additionalCertificates: null, offline: true);
        // The handshake's own chain check trusts the Ops CA alone (no walk of the system store); the callback decides.
        _handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, CustomTrustStore = { ca } };
        _handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, _, _) =>
        {
            var peer = certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            if (peers.IsValid(peer, ca, Identities.Agent, peerIsServer: true, out var reason)) return true;
            AgentsLog.AgentRefused(logger, (sender as SslStream)?.TargetHostName, reason);
            return false;
        };
    }

    public int Count => _channels.Count;

    /// <summary>A client for the agent at host:port.</summary>
    public Ops.Agent.V1.Agent.AgentClient For(string address)
    {
        var channel = _channels.GetOrAdd(address, a => GrpcChannel.ForAddress($"https://{a}", new GrpcChannelOptions { HttpHandler = _handler, DisposeHttpClient = false, LoggerFactory = _loggers }));
        return _interceptor is null ? new(channel) : new(Grpc.Core.Interceptors.CallInvokerExtensions.Intercept(channel.CreateCallInvoker(), _interceptor));
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values) channel.Dispose();
        _channels.Clear();
        _handler.Dispose();
    }
}
