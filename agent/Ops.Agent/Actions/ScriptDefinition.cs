namespace Ops.Agent.Actions;

/// <summary>
/// A named script from configuration (Agent:Scripts:NAME): the executable, its argument list with
/// {parameter} placeholders, the typed parameters it accepts, the kinds of target it is for, and the user it
/// runs as on a pod target. Nothing else can be run.
/// </summary>
public sealed class ScriptDefinition
{
    /// <summary>The target kinds a script is for when it does not say: nodes only, as the node maintenance scripts administrators write.</summary>
    public static readonly IReadOnlyList<string> DefaultTargets = [NodeTargets];

    public const string NodeTargets = "nodes";
    public const string PodTargets = "pods";

    /// <summary>The <see cref="RunAs"/> that keeps the agent's own user (root in the chart) on pod targets.</summary>
    public const string AgentUser = "agent";

    public string Path { get; set; } = "";
    public List<string> Arguments { get; set; } = [];
    public Dictionary<string, ScriptParameter> Parameters { get; set; } = [];

    /// <summary>
    /// Where the script may run: "nodes", "pods" or both. On a pod target its arguments may name {pid} (the target
    /// process's pid on the node) and {root} (that process's root directory, /proc/PID/root).
    /// </summary>
    public List<string>? Targets { get; set; }

    /// <summary>The user it runs as on a pod target: a user name of the node, or "agent" for the agent's own; Agent:ScriptUser when empty.</summary>
    public string? RunAs { get; set; }

    public IReadOnlyList<string> TargetsOrDefault => Targets is { Count: > 0 } targets ? targets : DefaultTargets;
}
