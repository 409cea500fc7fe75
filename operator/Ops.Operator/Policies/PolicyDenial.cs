namespace Ops.Operator.Policies;

/// <summary>Why a policy refuses a command: the policy, its rule (a spec field of DiagnosticPolicy) and a message naming both.</summary>
public sealed record PolicyDenial(string Policy, string Rule, string Message)
{
    /// <summary>The rules, as metric label values (bounded).</summary>
    public static class Rules
    {
        public const string Actions = "actions";
        public const string Scripts = "scripts";
        public const string MaxDumpType = "maxDumpType";
        public const string NodeTargets = "nodeTargets";
        public const string MaxTargetsPerCommand = "maxTargetsPerCommand";
        public const string NetworkCheckDestinations = "networkCheckDestinations";
    }
}
