namespace Ops.Operator.Policies;

/// <summary>Why a policy refuses a command: the policy, its rule (a spec field of DiagnosticPolicy) and a message naming both.</summary>
public sealed record PolicyDenial(string Policy, string Rule, string Message)
{
    /// <summary>The field of the command's spec the rule is about (the admission webhook names it before the message).</summary>
    public string Field => Rule switch
    {
        Rules.Scripts => "spec.parameters.script",
        Rules.MaxDumpType => "spec.parameters.type",
        Rules.NodeTargets => "spec.target.nodes",
        Rules.MaxTargetsPerCommand => "spec.target",
        Rules.NetworkCheckDestinations => FieldOfNetworkRule,
        _ => "spec.action",
    };

    /// <summary>For <see cref="Rules.NetworkCheckDestinations"/>: spec.parameters.host or spec.parameters.url.</summary>
    public string FieldOfNetworkRule { get; init; } = "spec.parameters.host";

    /// <summary>The rules, as metric label values (bounded).</summary>
    public static class Rules
    {
        public const string Actions = "actions";
        public const string Scripts = "scripts";
        public const string MaxDumpType = "maxDumpType";
        public const string NodeTargets = "nodeTargets";
        public const string MaxTargetsPerCommand = "maxTargetsPerCommand";
        public const string NetworkCheckDestinations = "networkCheckDestinations";
        public const string MaxArtifactBytesPerDay = "maxArtifactBytesPerDay";
    }
}
