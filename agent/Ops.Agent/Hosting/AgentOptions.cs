using System.ComponentModel.DataAnnotations;

namespace Ops.Agent.Hosting;

/// <summary>The agent's settings, bound from the "Agent" configuration section and validated at start-up.</summary>
public sealed class AgentOptions
{
    public const string Section = "Agent";

    /// <summary>The node this agent serves (the DaemonSet passes spec.nodeName).</summary>
    [Required] public string NodeName { get; set; } = "";

    /// <summary>Address to listen on: the pod IP in a cluster, the node's loopback address in the sandbox.</summary>
    [Required] public string ListenAddress { get; set; } = "0.0.0.0";

    [Range(0, 65535)] public int Port { get; set; } = 7443;

    /// <summary>Plain-HTTP port serving only /metrics (Prometheus), on the same address; 0 turns it off (the chart sets 9464).</summary>
    [Range(0, 65535)] public int MetricsPort { get; set; }

    /// <summary>PEM files of the serving certificate, its key, and the Ops CA that must sign the operator's certificate.</summary>
    [Required] public string CertificatePath { get; set; } = "";
    [Required] public string KeyPath { get; set; } = "";
    [Required] public string CaPath { get; set; } = "";

    /// <summary>Execution journal and artifacts live here.</summary>
    [Required] public string DataDirectory { get; set; } = "/var/lib/ops-agent";

    /// <summary>The version this agent reports; the image tag in a cluster.</summary>
    public string Version { get; set; } = typeof(AgentOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The node's /proc (hostPID); configurable so tests can use a fixture tree.</summary>
    [Required] public string ProcRoot { get; set; } = "/proc";

    /// <summary>The scripts script.run may run, by name; free-form commands are never accepted.</summary>
    public Dictionary<string, Actions.ScriptDefinition> Scripts { get; set; } = [];

    /// <summary>
    /// The user scripts run as on pod targets unless one says otherwise (RunAs): a script run "on" a team's pod must not
    /// run as the agent's root on the node. Used when the agent may switch users (it runs as root); else scripts run as the agent.
    /// </summary>
    [Required] public string ScriptUser { get; set; } = "nobody";

    /// <summary>Full output kept per target; more is cut and flagged as truncated.</summary>
    [Range(1024, 16 * 1024 * 1024)] public int MaxOutputBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// How long the journal keeps an execution's record (a replay within it gets the recorded result, never a second
    /// run). Longer than a command lives; without a limit the journal grew by a directory per command for ever.
    /// </summary>
    [Range(typeof(TimeSpan), "00:10:00", "30.00:00:00")] public TimeSpan ExecutionRetention { get; set; } = TimeSpan.FromDays(2);

    /// <summary>Bounds of the analysis of dumps on the node (Agent:DumpAnalysis).</summary>
    public Dumps.DumpAnalysisOptions DumpAnalysis { get; set; } = new();

    /// <summary>Disk budget, TTL and concurrency of artifact captures (Agent:Artifacts).</summary>
    public Artifacts.ArtifactOptions Artifacts { get; set; } = new();

    /// <summary>
    /// Listen mode: a node directory (hostPath) where the agent listens, one socket per pod, for runtimes
    /// that pods point at it with DOTNET_DiagnosticPorts. Empty: listen mode is off.
    /// </summary>
    public string DiagnosticPortsDirectory { get; set; } = "";
}
