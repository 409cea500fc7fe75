using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Ops.Agent.Security;

namespace Ops.Operator.Agents;

/// <summary>
/// One gRPC channel per agent address, created on first use and reused (HTTP/2 multiplexes the
/// calls; extra connections open when ~100 streams are in flight). The operator presents its client
/// certificate and accepts only an agent certificate that chains to the Ops CA and names the agent.
/// </summary>
public sealed class AgentChannels(X509Certificate2 clientCertificate, X509Certificate2 ca, ILoggerFactory loggers, Grpc.Core.Interceptors.Interceptor? interceptor = null) : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<AgentChannels>();

    public int Count => _channels.Count;

    /// <summary>A client for the agent at host:port.</summary>
    public Ops.Agent.V1.Agent.AgentClient For(string address)
    {
        var channel = _channels.GetOrAdd(address, Create);
        return interceptor is null ? new(channel) : new(Grpc.Core.Interceptors.CallInvokerExtensions.Intercept(channel.CreateCallInvoker(), interceptor));
    }

    private GrpcChannel Create(string address)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        handler.SslOptions.ClientCertificates = [clientCertificate];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var peer = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            if (PeerCertificateValidator.IsValid(peer, ca, Identities.Agent, peerIsServer: true, out var reason)) return true;
            _logger.LogWarning("Refused agent {Address}: {Reason}", address, reason);
            return false;
        };
        return GrpcChannel.ForAddress($"https://{address}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true, LoggerFactory = loggers });
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values) channel.Dispose();
        _channels.Clear();
    }
}
