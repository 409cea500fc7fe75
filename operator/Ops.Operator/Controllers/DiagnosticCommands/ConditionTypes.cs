namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>The condition types a DiagnosticCommand's status carries.</summary>
public static class ConditionTypes
{
    /// <summary>True once targets are resolved and the command runs; False with the reason when it cannot run.</summary>
    public const string Accepted = "Accepted";

    /// <summary>True when the command reached a final phase (the reason is the phase): <c>kubectl wait --for=condition=Complete</c>.</summary>
    public const string Complete = "Complete";

    /// <summary>True when the command failed as a whole (rejected, or every target failed).</summary>
    public const string Failed = "Failed";

    /// <summary>True while a requested cancel is being carried out.</summary>
    public const string Cancelling = "Cancelling";

    /// <summary>
    /// True while the operator's own RBAC refuses a call the command needs (a grant missing from its ClusterRole); the
    /// message is the API server's. The command waits and retries; the condition goes once the call is allowed.
    /// </summary>
    public const string PermissionDenied = "PermissionDenied";

    /// <summary>True when the spec was edited after the start; the edit is not acted on (except cancel).</summary>
    public const string SpecChangeIgnored = "SpecChangeIgnored";

    /// <summary>True while the command waits to start: its namespace runs as many commands as its policy allows at once.</summary>
    public const string Queued = "Queued";
}
