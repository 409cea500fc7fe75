namespace Ops.Demo;

/// <summary>How the demo cluster starts.</summary>
public sealed record DemoOptions
{
    /// <summary>Simulated nodes, each with an agent.</summary>
    public int Nodes { get; init; } = 3;

    /// <summary>The repository's crds/ directory (the CRDs are applied first).</summary>
    public required string CrdsDirectory { get; init; }

    /// <summary>The chart installed (charts/ops next to <see cref="CrdsDirectory"/> when absent).</summary>
    public string? ChartDirectory { get; init; }

    /// <summary>Where the kubeconfig goes; the sandbox's own workspace (deleted with it) when absent.</summary>
    public string? KubeconfigPath { get; init; }

    /// <summary>Port of the API server; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Also run the sample workload (3 checkout pods in namespace shop).</summary>
    public bool Workload { get; init; } = true;

    /// <summary>Apply the operator's Deployment; tests that run the operator themselves turn it off.</summary>
    public bool Operator { get; init; } = true;

    /// <summary>Replicas of the operator's Deployment: one leads, the others stand by (ready only while leading).</summary>
    public int OperatorReplicas { get; init; } = 1;

    /// <summary>The port the operator dials agents on (each node's address); 0 picks a free one. The agents listen there unless <see cref="AgentSettings"/> sets Agent__Port.</summary>
    public int AgentPort { get; init; }

    /// <summary>How long to wait for the agents, the operator and the workload to be ready.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Logging of the sandbox server (its kubelet and controllers); none when absent.</summary>
    public Action<Microsoft.Extensions.Logging.ILoggingBuilder>? Logging { get; init; }

    /// <summary>What the kubelet runs for the agent image: real agent processes unless set (the load simulator's <c>SimulatedAgents.Image</c>).</summary>
    public Ops.Sandbox.Nodes.SandboxImage? AgentImage { get; init; }

    /// <summary>Extra environment of the agents (Agent__Scripts__..., for example).</summary>
    public IReadOnlyDictionary<string, string> AgentSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// When set (host:port of a loopback registry holding Ops's images, tag <see cref="DemoImages.Tag"/>), the nodes
    /// run pods as containers of a containerd of the sandbox's own, pulled from there; otherwise as processes.
    /// </summary>
    public string? ImageRegistry { get; init; }

    /// <summary>A change a test makes to an object of the rendered chart before it is applied (the fault tests put the agents on their nodes' network).</summary>
    public Action<k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>>? AdjustRelease { get; init; }

    /// <summary>Extra environment of the operator (Operator__AgentGrace, for example).</summary>
    public IReadOnlyDictionary<string, string> OperatorSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>More chart values, as <c>helm install --set</c> takes them (<c>platformPolicy.scripts={mark}</c>).</summary>
    public IReadOnlyDictionary<string, string> ChartValues { get; init; } = new Dictionary<string, string>();
}
