using System.ComponentModel.DataAnnotations;

namespace Ops.Operator.Hosting;

/// <summary>The operator's settings, bound from the "Operator" configuration section and validated at start-up.</summary>
public sealed class OperatorOptions
{
    public const string Section = "Operator";

    /// <summary>The namespace the operator runs in: its Lease, the CA and the agents' certificate live here.</summary>
    [Required, RegularExpression("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")] public string Namespace { get; set; } = "ops-system";

    /// <summary>Settings of earlier versions that DiagnosticPolicy replaced: the operator refuses to start with them, rather than ignore what they asked.</summary>
    public static readonly IReadOnlyList<string> Replaced = [$"{Section}:NodeTargetNamespaces", $"{Section}:HeavyActionsDisabledNamespaces"];

    /// <summary>The agent DaemonSet, in <see cref="Namespace"/>, whose template AgentVersions roll out.</summary>
    [Required, RegularExpression("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")] public string AgentDaemonSet { get; set; } = "ops-agent";

    /// <summary>The port agents serve gRPC on (the agent DaemonSet's containerPort).</summary>
    [Range(1, 65535)] public int AgentPort { get; set; } = 7443;

    /// <summary>How long a target waits for its node's agent to come back (being replaced) before it fails.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")] public TimeSpan AgentGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a connection to an agent with no call in flight stays open: memory (about 75 KiB each) against a handshake per call.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan AgentConnectionIdleTimeout { get; set; } = Agents.AgentChannels.DefaultIdleTimeout;

    /// <summary>Commands started by DiagnosticTriggers that may run at once in the whole cluster; a crossing beyond it is held back, with the LimitReached condition and Event.</summary>
    [Range(1, 10000)] public int MaxRunningTriggeredCommands { get; set; } = 20;

    /// <summary>Who this replica is in leader election: the pod name in a cluster.</summary>
    public string Identity { get; set; } = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : $"{Environment.MachineName}-{Environment.ProcessId}";

    [Required] public string LeaseName { get; set; } = "ops-operator";

    /// <summary>A kubeconfig file; when empty, KUBECONFIG, ~/.kube/config or the in-cluster service account.</summary>
    public string Kubeconfig { get; set; } = "";

    /// <summary>Address and port of /healthz and /readyz (and /metrics).</summary>
    [Required] public string ListenAddress { get; set; } = "0.0.0.0";

    [Range(0, 65535)] public int Port { get; set; } = 8080;

    /// <summary>The port of artifact downloads, over TLS with a certificate of the Ops CA (plain HTTP is refused for them); 0 picks a free one.</summary>
    [Range(0, 65535)] public int ArtifactsPort { get; set; } = 8443;

    /// <summary>The operator's Service: its names are in the artifact port's certificate (SERVICE.NAMESPACE.svc, ...).</summary>
    [Required, RegularExpression("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")] public string ServiceName { get; set; } = "ops-operator";

    /// <summary>The operator's ServiceAccount, in <see cref="Namespace"/>: what it creates (a ScheduledTask's commands) keeps the requester it carries.</summary>
    [Required, RegularExpression("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")] public string ServiceAccount { get; set; } = "ops-operator";

    /// <summary>
    /// The ValidatingWebhookConfiguration and MutatingWebhookConfiguration (one name for both) whose caBundle the leader keeps
    /// at the Ops CA, so the API server trusts the admission endpoints; empty when the install has none.
    /// </summary>
    [RegularExpression("^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$")] public string AdmissionWebhooks { get; set; } = "";

    /// <summary>DiagnosticCommands reconciled at once.</summary>
    [Range(1, 100)] public int CommandWorkers { get; set; } = 4;
}
