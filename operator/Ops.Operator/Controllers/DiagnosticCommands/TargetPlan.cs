namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>The targets a command runs on, or why it cannot run (Reason is a condition reason, Message says what to fix).</summary>
public sealed record TargetPlan(IReadOnlyList<CommandTarget> Targets, int Matched, string? Reason = null, string? Message = null)
{
    public bool IsValid => Reason is null;

    public static TargetPlan Invalid(string reason, string message) => new([], 0, reason, message);
}
