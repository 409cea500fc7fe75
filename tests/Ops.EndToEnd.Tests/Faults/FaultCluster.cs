using System.Net;
using k8s;
using k8s.Models;
using Ops.Demo;
using Ops.Operator.Hosting;
using Ops.Sandbox.Hosting;
using Ops.Sandbox.Nodes;
using Ops.Sandbox.Simulation;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Faults;

/// <summary>
/// A cluster of its own for the fault tests, which break it on purpose: two operator replicas (one
/// leads), simulated agents whose every action takes <see cref="ActionTime"/> (so a fan-out is long
/// enough to break in the middle), and a <see cref="FaultyProxy"/> on each node between the operator
/// and the agent: the operator dials the agent port on the node's address, where the proxy listens,
/// and the agent listens on another port behind it.
/// </summary>
public sealed class FaultCluster : IAsyncLifetime
{
    public const int NodeCount = 4;
    public static readonly TimeSpan ActionTime = TimeSpan.FromMilliseconds(1500);
    public static readonly TimeSpan AgentGrace = TimeSpan.FromSeconds(5);

    /// <summary>An action that takes longer, for a fan-out that must outlast a handover.</summary>
    public const string SlowAction = "processes";
    public static readonly TimeSpan SlowActionTime = TimeSpan.FromSeconds(3);

    private DemoCluster? _cluster;
    private SimulatedAgents? _agents;

    public DemoCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster has not started");
    public Kubernetes Client => Cluster.Client;
    public SimulatedAgents Agents => _agents ?? throw new InvalidOperationException("the agents have not started");

    /// <summary>The proxy in front of each node's agent, by node name.</summary>
    public Dictionary<string, FaultyProxy> Proxies { get; } = new(StringComparer.Ordinal);

    public static List<string> Nodes => [.. Enumerable.Range(1, NodeCount).Select(SimulatedNode.NameOf)];

    public async ValueTask InitializeAsync()
    {
        _agents = await SimulatedAgents.StartAsync(new AgentSimulationOptions
        {
            Latency = ActionTime,
            ActionLatency = new Dictionary<string, TimeSpan>(StringComparer.Ordinal) { [SlowAction] = SlowActionTime },
        });
        int dialed = LoopbackPorts.Free(), served = LoopbackPorts.Free();
        for (var i = 1; i <= NodeCount; i++)
        {
            var address = IPAddress.Parse(SimulatedNode.AddressOf(i));
            Proxies[SimulatedNode.NameOf(i)] = new FaultyProxy(new IPEndPoint(address, dialed), new IPEndPoint(address, served));
        }
        _cluster = await DemoCluster.StartAsync(new DemoOptions
        {
            CrdsDirectory = RepositoryPaths.Crds,
            Nodes = NodeCount,
            Workload = false,
            AgentImage = _agents.Image,
            AgentPort = dialed,
            OperatorReplicas = 2,
            AgentSettings = new Dictionary<string, string> { ["Agent__Port"] = served.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            OperatorSettings = new Dictionary<string, string> { ["Operator__AgentGrace"] = AgentGrace.ToString("c") },
        });
    }

    /// <summary>The operator pod holding the Lease.</summary>
    public async Task<string> LeaderAsync(CancellationToken cancellationToken)
    {
        var lease = await Client.CoordinationV1.ReadNamespacedLeaseAsync("ops-operator", DemoCluster.OpsNamespace, cancellationToken: cancellationToken);
        return lease.Spec.HolderIdentity;
    }

    /// <summary>The operator's pods that run (the leader and the stand-by).</summary>
    public async Task<IReadOnlyList<V1Pod>> OperatorPodsAsync(CancellationToken cancellationToken) =>
        [.. (await Client.CoreV1.ListNamespacedPodAsync(DemoCluster.OpsNamespace, labelSelector: SandboxPods.OperatorSelector, cancellationToken: cancellationToken)).Items
            .Where(p => p.Status?.Phase == "Running" && p.Metadata.DeletionTimestamp is null)];

    /// <summary>What every operator container printed (all its restarts), for a failure message.</summary>
    public async Task<string> OperatorLogsAsync(CancellationToken cancellationToken)
    {
        var text = new System.Text.StringBuilder();
        foreach (var pod in await OperatorPodsAsync(cancellationToken))
        {
            await using var log = await Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, DemoCluster.OpsNamespace, cancellationToken: cancellationToken);
            using var reader = new StreamReader(log);
            text.Append("--- ").AppendLine(pod.Metadata.Name).AppendLine(await reader.ReadToEndAsync(cancellationToken));
        }
        return text.ToString();
    }

    /// <summary>Calls to the API server the operators made that were refused with <paramref name="code"/>.</summary>
    public long OperatorRefusals(int code) => Cluster.Server.Accesses.RefusalsOf(OperatorServiceCollectionExtensions.UserAgent, code);

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        if (_agents is not null) await _agents.DisposeAsync();
        foreach (var proxy in Proxies.Values) await proxy.DisposeAsync();
    }
}
