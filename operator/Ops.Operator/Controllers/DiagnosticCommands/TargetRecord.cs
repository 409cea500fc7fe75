namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>What happened to one target: its phase, and once finished its exit code, output, artifacts and why it failed.</summary>
public sealed record TargetRecord(CommandTarget Target, string Phase, int? ExitCode = null, long? DurationMs = null, string? Message = null,
    byte[]? Output = null, bool Truncated = false, int? Pid = null, IReadOnlyList<Ops.Agent.V1.ArtifactInfo>? Artifacts = null)
{
    public bool IsFinished => Phase is TargetPhase.Succeeded or TargetPhase.Failed or TargetPhase.Cancelled;
}
