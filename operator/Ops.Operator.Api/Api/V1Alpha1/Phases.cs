namespace Ops.Operator.Api.V1Alpha1;

/// <summary>The string values of the phases, shared by the types, the schema and the controllers.</summary>
public static class CommandPhase
{
    public const string Pending = "Pending";
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string PartiallyFailed = "PartiallyFailed";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";
}

/// <summary>The phases of an AgentVersion's rollout.</summary>
public static class RolloutPhase
{
    public const string Progressing = "Progressing";
    public const string Paused = "Paused";
    public const string Succeeded = "Succeeded";
    public const string RollingBack = "RollingBack";
    public const string RolledBack = "RolledBack";
    public const string Failed = "Failed";
}
