using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.Agent.Actions;
using Ops.Agent.Artifacts;
using Ops.Agent.Executions;
using Ops.Agent.Hosting;
using Ops.Agent.Metrics;
using Ops.Agent.Security;
using Ops.Agent.V1;
using Ops.Agent.V1.Actions;
using Ops.Demo;
using Ops.Sandbox.Nodes;

namespace Ops.AgentSimulation;

/// <summary>
/// The load simulator: thousands of lightweight agents in this process, each serving the real agent
/// gRPC contract with mTLS on its own node address, started by the sandbox's kubelet for the agent
/// pods (use <see cref="Image"/> as the agent image), so they are registered as agent pods on simulated
/// nodes exactly as real agents are. They read the same settings from the pod (Agent__Port,
/// Agent__NodeName, Agent__ListenAddress, the certificate paths) and refuse a client the real agent
/// refuses. Actions take the configured latency and fail at the configured rate.
/// </summary>
public sealed class SimulatedAgents : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly AgentListeners _listeners;
    private readonly AgentSimulationOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<IPEndPoint, SimulatedAgent> _agents = new();
    private readonly ValidatedPeers _peers;

    private SimulatedAgents(WebApplication app, AgentListeners listeners, AgentSimulationOptions options, TimeProvider clock)
    {
        _app = app;
        _listeners = listeners;
        _options = options;
        _clock = clock;
        _peers = new ValidatedPeers(clock);
        _logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<SimulatedAgents>();
        Directory.CreateDirectory(_nodes);
        // One registry for the whole fleet: the executions' counters are the simulation's, not any node's.
        var settings = Microsoft.Extensions.Options.Options.Create(new AgentOptions { NodeName = "simulated", DataDirectory = _nodes });
        _metrics = new AgentMetrics(settings, new ArtifactStore(settings, clock, NullLogger<ArtifactStore>.Instance));
    }

    /// <summary>
    /// Each node's data directory (its execution journal), as a real agent's hostPath keeps it across restarts.
    /// In memory (tmpfs) where the machine has one: thousands of nodes' journals share one machine's disk here,
    /// which no real node does, and the scale bench measures the operator, not this disk.
    /// </summary>
    private readonly string _nodes = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"ops-agent-simulation-{Environment.ProcessId}-{Guid.NewGuid():N}");

    private readonly AgentMetrics _metrics;

    internal AgentSimulationOptions Options => _options;

    internal TimeProvider Clock => _clock;

    public SimulationStats Stats { get; } = new();

    /// <summary>Simulated agents serving right now.</summary>
    public int Count => _agents.Count;

    /// <summary>The agent image: the sandbox kubelet starts a simulated agent for each container of it.</summary>
    public SandboxImage Image => SandboxImage.Simulated(Launch);

    public static async Task<SimulatedAgents> StartAsync(AgentSimulationOptions options, Action<ILoggingBuilder>? logging = null, TimeProvider? clock = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        logging?.Invoke(builder.Logging);
        SimulatedAgents? self = null;
        // The transport logs with the host's loggers: Kestrel resolves it from the host's services.
        builder.Services.AddSingleton<AgentListeners>();
        builder.Services.AddSingleton<IConnectionListenerFactory>(sp => sp.GetRequiredService<AgentListeners>());
        builder.Services.AddGrpc(grpc => grpc.EnableDetailedErrors = true);
        builder.Services.AddSingleton(_ => self!);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.Http2.MaxStreamsPerConnection = 100;
            kestrel.Listen(new AgentListeners.AllAgents(), listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = context => ValueTask.FromResult(self!.TlsFor(context.Connection.LocalEndPoint)) });
            });
        });
        var app = builder.Build();
        app.MapGrpcService<SimulatedAgentService>();
        self = new SimulatedAgents(app, app.Services.GetRequiredService<AgentListeners>(), options, clock ?? TimeProvider.System);
        await app.StartAsync(cancellationToken);
        return self;
    }

    internal SimulatedAgent? At(IPEndPoint address) => _agents.GetValueOrDefault(address);

    /// <summary>The TLS of the agent at the connection's address: its certificate, and only clients chaining to its CA with the operator's identity.</summary>
    private SslServerAuthenticationOptions TlsFor(EndPoint? local)
    {
        var agent = local is IPEndPoint address ? At(address) : null;
        if (agent is null) throw new System.Security.Authentication.AuthenticationException($"no simulated agent listens on {local}");
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = agent.Certificate,
            ClientCertificateRequired = true,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                var peer = certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                if (_peers.IsValid(peer, agent.Ca, Identities.Operator, peerIsServer: false, out var reason)) return true;
                _logger.LogWarning("Simulated agent {Node} refused a client: {Reason}", agent.Node, reason);
                return false;
            },
        };
    }

    /// <summary>Whether an execution fails: by a hash of (command, target), so a repeat decides the same.</summary>
    internal bool Fails(string commandUid, string targetKey)
    {
        if (_options.FailureRate <= 0) return false;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{commandUid}/{targetKey}"));
        return BitConverter.ToUInt32(hash, 0) / (double)uint.MaxValue < _options.FailureRate;
    }

    private IContainerProcess Launch(ContainerLaunch launch)
    {
        var tag = SandboxImage.TagOf(launch.Image) ?? "0.0.0";
        if (tag.EndsWith(OpsImages.CrashesSuffix, StringComparison.Ordinal)) return new ExitedContainer($"sandbox-simulated://{launch.Node.Name}/crashed", 70);
        string Setting(string name) => launch.Environment.TryGetValue($"Agent__{name}", out var value) && value.Length > 0
            ? value
            : throw new IOException($"the simulated agent needs Agent__{name} in its environment, as the agent does");
        var host = launch.Environment.GetValueOrDefault("Agent__ListenAddress") is { Length: > 0 } listen ? listen : launch.PodIp;
        if (!IPAddress.TryParse(host, out var ip) || !int.TryParse(Setting("Port"), System.Globalization.CultureInfo.InvariantCulture, out var port))
        {
            throw new IOException($"the simulated agent cannot listen on {host}:{launch.Environment.GetValueOrDefault("Agent__Port")}");
        }
        X509Certificate2 certificate, ca;
        try
        {
            certificate = PemCertificates.LoadFiles(Setting("CertificatePath"), Setting("KeyPath"));
            ca = X509CertificateLoader.LoadCertificateFromFile(Setting("CaPath"));
        }
        catch (CryptographicException e)
        {
            throw new IOException($"the simulated agent's certificate files cannot be read: {e.Message}", e);
        }
        var address = new IPEndPoint(ip, port);
        var node = launch.Environment.GetValueOrDefault("Agent__NodeName") is { Length: > 0 } named ? named : launch.Node.Name;
        var selfTestFails = tag.EndsWith(OpsImages.SelfTestFailsSuffix, StringComparison.Ordinal);
        var settings = Microsoft.Extensions.Options.Options.Create(new AgentOptions { NodeName = node, Version = tag, DataDirectory = Path.Combine(_nodes, node) });
        var executions = new ExecutionManager(new ActionCatalog(ActionCatalogue.All.Select(a => new SimulatedAction(a, this, node, selfTestFails))),
            new ExecutionJournal(settings, _clock), settings, _metrics, _clock, NullLogger<ExecutionManager>.Instance);
        var agent = new SimulatedAgent(node, tag, address, certificate, ca, _clock.GetUtcNow(), executions);
        if (!_agents.TryAdd(address, agent)) throw new IOException($"address {address} is in use by another simulated agent");
        try
        {
            _listeners.Add(address);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            _agents.TryRemove(address, out _);
            throw new IOException($"the simulated agent cannot listen on {address}: {e.Message}", e);
        }
        return new SimulatedAgentProcess(agent, Stop);
    }

    private void Stop(SimulatedAgent agent)
    {
        _listeners.Remove(agent.Address);
        _agents.TryRemove(KeyValuePair.Create(agent.Address, agent));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        // Disposes the transport too: the host's services own it.
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_nodes, recursive: true);
        }
        catch (IOException)
        {
            // An execution still finishing wrote meanwhile; the temporary directory goes with the machine's.
        }
    }
}
