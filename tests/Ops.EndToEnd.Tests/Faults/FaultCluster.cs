using System.Globalization;
using System.Net;
using k8s;
using k8s.Models;
using Ops.Demo;
using Ops.Operator.Hosting;
using Ops.Sandbox.Hosting;
using Ops.Sandbox.Nodes;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Faults;

/// <summary>
/// A cluster of its own for the fault tests, which break it on purpose: two operator replicas (one
/// leads), a real agent on each node carrying <see cref="MarkScript"/> (so a target run twice shows
/// as two lines in a file, whatever the agents' or the operator's records say), and a
/// <see cref="FaultyProxy"/> on each node between the operator and the agent: the operator dials the
/// agent port on the node's address, where the proxy listens, and the agent listens on another port
/// behind it.
/// </summary>
public sealed class FaultCluster : IAsyncLifetime
{
    public const int NodeCount = 4;
    public static readonly TimeSpan AgentGrace = TimeSpan.FromSeconds(5);

    private DemoCluster? _cluster;

    public DemoCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster has not started");
    public Kubernetes Client => Cluster.Client;

    /// <summary>The proxy in front of each node's agent, by node name.</summary>
    public Dictionary<string, FaultyProxy> Proxies { get; } = new(StringComparer.Ordinal);

    public static List<string> Nodes => [.. Enumerable.Range(1, NodeCount).Select(SimulatedNode.NameOf)];

    public async ValueTask InitializeAsync()
    {
        TestWorkspace.Ensure();
        var addresses = Enumerable.Range(1, NodeCount).Select(i => IPAddress.Parse(SimulatedNode.AddressOf(i))).ToList();
        int dialed = LoopbackPorts.Free(addresses), served = LoopbackPorts.Free(addresses);
        for (var i = 1; i <= NodeCount; i++)
        {
            Proxies[SimulatedNode.NameOf(i)] = new FaultyProxy(new IPEndPoint(addresses[i - 1], dialed), new IPEndPoint(addresses[i - 1], served));
        }
        _cluster = await DemoCluster.StartAsync(new DemoOptions
        {
            CrdsDirectory = RepositoryPaths.Crds,
            Nodes = NodeCount,
            Workload = false,
            AgentPort = dialed,
            OperatorReplicas = 2,
            AgentSettings = new Dictionary<string, string>(MarkScript.AgentSettings()) { ["Agent__Port"] = served.ToString(CultureInfo.InvariantCulture) },
            OperatorSettings = new Dictionary<string, string> { ["Operator__AgentGrace"] = AgentGrace.ToString("c") },
            ChartValues = new Dictionary<string, string> { ["platformPolicy.scripts"] = $"{{{MarkScript.Name}}}" },
            // The proxies stand at each node's address, known before the agents start: the agents join their nodes' network.
            AdjustRelease = obj =>
            {
                if (obj is V1DaemonSet agents) agents.Spec.Template.Spec.HostNetwork = true;
            },
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

    /// <summary>Each operator pod's restart count, by pod name.</summary>
    public async Task<Dictionary<string, int>> OperatorRestartsAsync(CancellationToken cancellationToken) =>
        (await OperatorPodsAsync(cancellationToken)).ToDictionary(p => p.Metadata.Name, p => p.Status.ContainerStatuses.Single().RestartCount, StringComparer.Ordinal);

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

    /// <summary>Execute calls the leading operator made to agents, however they ended (from its /metrics).</summary>
    public async Task<double> ExecuteCallsAsync(CancellationToken cancellationToken)
    {
        var holder = await LeaderAsync(cancellationToken);
        var leader = (await OperatorPodsAsync(cancellationToken)).Single(p => p.Metadata.Name == holder);
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync($"http://{leader.Status.PodIP}:{Cluster.OperatorPort}/metrics", cancellationToken);
        return metrics.Split('\n').Where(l => l.StartsWith("ops_agent_rpc_duration_seconds_count{method=\"Execute\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>Calls to the API server the operators made that were refused with <paramref name="code"/>.</summary>
    public long OperatorRefusals(int code) => Cluster.Server.Accesses.RefusalsOf(OperatorServiceCollectionExtensions.UserAgent, code);

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        foreach (var proxy in Proxies.Values) await proxy.DisposeAsync();
    }
}
