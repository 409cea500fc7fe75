namespace Ops.Operator.Api.V1Alpha1;

/// <summary>The action catalogue of the design: what a DiagnosticCommand may ask for.</summary>
public static class ActionNames
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        "processes", "node.info", "file.tail", "log.grep", "check.tcp", "check.http", "check.process", "script.run", "agent.selftest",
        "dotnet.processes", "dotnet.stacks", "dotnet.counters", "dotnet.trace", "dotnet.gcdump", "dotnet.dump",
    };

    /// <summary>Captures that pause or load the target and take disk: limited per node, and can be disabled per namespace.</summary>
    public static readonly IReadOnlySet<string> Heavy = new HashSet<string>(StringComparer.Ordinal) { "dotnet.trace", "dotnet.gcdump", "dotnet.dump" };

    /// <summary>True when the action is in the catalogue (agents still validate its parameters).</summary>
    public static bool IsKnown(string action) => All.Contains(action);
}
