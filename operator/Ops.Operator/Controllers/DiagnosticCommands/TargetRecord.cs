namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>What happened to one target: its phase, and once finished its exit code, output and why it failed.</summary>
public sealed record TargetRecord(CommandTarget Target, string Phase, int? ExitCode = null, long? DurationMs = null, string? Message = null,
    byte[]? Output = null, bool Truncated = false, int? Pid = null)
{
    public bool IsFinished => Phase is TargetPhase.Succeeded or TargetPhase.Failed or TargetPhase.Cancelled;
}
