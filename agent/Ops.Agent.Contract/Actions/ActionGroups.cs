namespace Ops.Agent.V1.Actions;

/// <summary>
/// The groups a DiagnosticPolicy allows actions by: what an action costs its target and what it can reveal.
/// </summary>
public static class ActionGroups
{
    /// <summary>Reads what the node or container shows: processes, files, logs, checks.</summary>
    public const string ReadOnly = "read-only";

    /// <summary>Short .NET diagnostics that stop nothing and store nothing: stacks, counters.</summary>
    public const string DotnetLight = "dotnet-light";

    /// <summary>.NET captures stored as artifacts, which may pause the process or hold its memory: traces, heap snapshots, dumps.</summary>
    public const string DotnetHeavy = "dotnet-heavy";

    /// <summary>Scripts configured on the agents by the cluster's administrators.</summary>
    public const string Scripts = "scripts";

    public static readonly IReadOnlyList<string> All = [ReadOnly, DotnetLight, DotnetHeavy, Scripts];
}
