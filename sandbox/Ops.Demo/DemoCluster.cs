using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Ops.Sandbox.Charts;
using Ops.Sandbox.Containers;
using Ops.Sandbox.Hosting;
using Ops.Sandbox.Nodes;

namespace Ops.Demo;

/// <summary>
/// The sandbox with everything Ops needs running in it: simulated nodes, the agent DaemonSet, the
/// operator Deployment (charts/ops, rendered with values-sandbox.yaml as Helm would install it) and the sample
/// workload (manifests/), started by the sandbox's kubelet: as real processes, or as containers of Ops's images under containerd. The demo's main job, and the world of the end-to-end tests.
/// </summary>
public sealed class DemoCluster : IAsyncDisposable
{
    public const string OpsNamespace = "ops-system";
    public const string ShopNamespace = "shop";

    /// <summary>The kinds of Ops that the release and the workload hold, for the YAML reader.</summary>
    private static readonly Dictionary<string, Type> OpsKinds = new(StringComparer.Ordinal)
    {
        [$"{Ops.Operator.Api.V1Alpha1.ApiGroup.ApiVersion}/{Ops.Operator.Api.V1Alpha1.V1Alpha1DiagnosticPolicy.KindName}"] = typeof(Ops.Operator.Api.V1Alpha1.V1Alpha1DiagnosticPolicy),
    };

    /// <summary>The shop team's DiagnosticPolicy, in samples/.</summary>
    public const string ShopPolicySample = "diagnosticpolicy-shop.yaml";

    private DemoCluster(SandboxServer server, int agentPort, int operatorPort, int agentMetricsPort, string? imageRegistry)
    {
        ArtifactsPort = LoopbackPorts.Free();
        _imageRegistry = imageRegistry;
        Server = server;
        AgentPort = agentPort;
        OperatorPort = operatorPort;
        AgentMetricsPort = agentMetricsPort;
        Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath));
    }

    private readonly string? _imageRegistry;

    public SandboxServer Server { get; }
    public Kubernetes Client { get; }
    public int AgentPort { get; }

    /// <summary>Where each agent serves /metrics, on its node's address.</summary>
    public int AgentMetricsPort { get; }
    public int OperatorPort { get; }

    /// <summary>Where the operator serves artifact downloads over TLS (a certificate of the Ops CA, published in ConfigMap ops-ca).</summary>
    public int ArtifactsPort { get; }
    /// <summary>The port the checkout pods serve HTTP on, each on its own pod IP (the samples use it).</summary>
    public const int AppPort = 8080;

    /// <summary>Where the manifests say Ops's images are (the chart's default); the containerd runtime pulls them from its registry instead.</summary>
    public const string ImagePrefix = "ghcr.io/example/";

    public static string ManifestsDirectory => Path.Combine(AppContext.BaseDirectory, "manifests");

    /// <summary>The chart's values for the sandbox (next to this program; sandbox/Ops.Demo/values-sandbox.yaml in the repository).</summary>
    public static string SandboxValues => Path.Combine(AppContext.BaseDirectory, "values-sandbox.yaml");

    /// <summary>The Helm release: its objects are named RELEASE-operator, RELEASE-agent.</summary>
    public const string ReleaseName = "ops";
    public const string OperatorDeployment = ReleaseName + "-operator";
    public const string AgentDaemonSet = ReleaseName + "-agent";

    public static async Task<DemoCluster> StartAsync(DemoOptions options, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var server = await SandboxServer.StartAsync(new SandboxOptions
        {
            Port = options.Port,
            Nodes = options.Nodes,
            // node-1 carries the canary label, so the AgentVersion sample has a canary node.
            NodeLabels = node => node == "node-1" ? new Dictionary<string, string> { ["ops.dev/canary"] = "true" } : new Dictionary<string, string>(),
            Images = ImagesOf(options),
            Containerd = options.ImageRegistry is { } registry ? new ContainerdOptions { InsecureRegistries = [registry] } : null,
            ManifestDirectories = [options.CrdsDirectory],
            KubeconfigPath = options.KubeconfigPath,
        }, options.Logging, cancellationToken);
        // The agents serve on each node's address (host network): their ports must be free on all of them.
        var nodes = Enumerable.Range(1, Math.Max(1, options.Nodes)).Select(i => System.Net.IPAddress.Parse(SimulatedNode.AddressOf(i))).ToList();
        var cluster = new DemoCluster(server, options.AgentPort > 0 ? options.AgentPort : LoopbackPorts.Free(nodes), LoopbackPorts.Free(), LoopbackPorts.Free(nodes), options.ImageRegistry);
        try
        {
            progress?.Invoke($"sandbox API server at {server.Url} with {options.Nodes} nodes");
            // As `helm install ops charts/ops -n ops-system --create-namespace -f values-sandbox.yaml --set ...`.
            server.ApplyYaml($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {OpsNamespace}\n");
            var chart = new ChartRenderer(options.ChartDirectory ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.CrdsDirectory))!, "charts", "ops"), ReleaseName, OpsNamespace);
            var release = chart.RenderManifest(cluster.ChartSettings(options), [SandboxValues]);
            // The shop team's DiagnosticPolicy is the sample an application team would start from.
            var workload = options.Workload ? await File.ReadAllTextAsync(Path.Combine(ManifestsDirectory, "20-shop.yaml"), cancellationToken) + "---\n"
                + await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.CrdsDirectory))!, "samples", ShopPolicySample), cancellationToken) : "";
            foreach (var obj in KubernetesYaml.LoadAllFromString(workload.Length == 0 ? release : release + "---\n" + cluster.Fill(workload), OpsKinds))
            {
                if (!Wanted(obj, options)) continue;
                if (obj is V1DaemonSet { Metadata.Name: AgentDaemonSet } agents) AddSettings(agents, options.AgentSettings);
                if (obj is V1Deployment { Metadata.Name: OperatorDeployment } op) AddSettings(op, options.OperatorSettings);
                if (obj is IKubernetesObject<V1ObjectMeta> adjusted) options.AdjustRelease?.Invoke(adjusted);
                foreach (var applied in server.ApplyYaml(KubernetesYaml.Serialize(obj))) progress?.Invoke($"applied {applied}");
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ReadyTimeout);
            if (options.Operator)
            {
                await cluster.WaitAsync("apps", "deployments", OpsNamespace, "ops-operator", s => (int?)s["readyReplicas"] == 1, "the operator to lead", timeout.Token);
                progress?.Invoke("operator ready (leading)");
                await cluster.WaitAsync("apps", "daemonsets", OpsNamespace, "ops-agent", s => (int?)s["numberReady"] == options.Nodes, $"an agent on each of the {options.Nodes} nodes", timeout.Token);
                progress?.Invoke($"agents ready on {options.Nodes} nodes");
            }
            if (options.Workload)
            {
                await cluster.WaitAsync("apps", "deployments", ShopNamespace, "checkout", s => (int?)s["readyReplicas"] == 3, "the checkout pods", timeout.Token);
                progress?.Invoke("sample workload ready: 3 checkout pods in namespace shop");
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static Dictionary<string, SandboxImage> ImagesOf(DemoOptions options)
    {
        var images = OpsImages.FromDirectory(AppContext.BaseDirectory).ToDictionary(StringComparer.Ordinal);
        if (options.AgentImage is { } agent) images["ops-agent"] = agent;
        return images;
    }

    /// <summary>The workload's manifests with this cluster's registry's images under the containerd runtime.</summary>
    public string Fill(string yaml) => yaml.Replace(ImagePrefix, _imageRegistry is null ? ImagePrefix : _imageRegistry + "/", StringComparison.Ordinal);

    /// <summary>The chart's --set values of this cluster: its ports, the operator's replicas, and the images' registry under containerd.</summary>
    private Dictionary<string, string> ChartSettings(DemoOptions options)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["operator.port"] = OperatorPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["operator.artifactsPort"] = ArtifactsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["agent.port"] = AgentPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["agent.metricsPort"] = AgentMetricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["operator.replicas"] = options.OperatorReplicas.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (path, value) in options.ChartValues) settings[path] = value;
        if (_imageRegistry is not null)
        {
            settings["operator.image.repository"] = $"{_imageRegistry}/ops-operator";
            settings["agent.image.repository"] = $"{_imageRegistry}/ops-agent";
        }
        return settings;
    }

    private static bool Wanted(object obj, DemoOptions options) => obj switch
    {
        V1Deployment { Metadata.Name: OperatorDeployment } => options.Operator,
        IKubernetesObject<V1ObjectMeta> o when o.Metadata.Name == ShopNamespace || o.Metadata.NamespaceProperty == ShopNamespace => options.Workload,
        _ => true,
    };

    private static void AddSettings(IKubernetesObject<V1ObjectMeta> workload, IReadOnlyDictionary<string, string> settings)
    {
        var template = workload switch { V1DaemonSet d => d.Spec.Template, V1Deployment d => d.Spec.Template, _ => throw new ArgumentException("not a workload") };
        var container = template.Spec.Containers[0];
        container.Env ??= [];
        // A setting the chart already renders is replaced, not repeated: of two equal names a process sees only one.
        foreach (var (name, value) in settings)
        {
            container.Env = [.. container.Env.Where(e => e.Name != name), new V1EnvVar { Name = name, Value = value }];
        }
    }

    private async Task WaitAsync(string group, string plural, string ns, string name, Func<JsonObject, bool> ready, string what, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var obj = await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(group, "v1", ns, plural, name, cancellationToken);
                if (obj["status"] is JsonObject status && ready(status)) return;
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            catch (OperationCanceledException e)
            {
                throw new TimeoutException($"timed out waiting for {what}", e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
