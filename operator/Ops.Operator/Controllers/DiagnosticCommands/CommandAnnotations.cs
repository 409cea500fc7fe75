namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>Annotations on a DiagnosticCommand that its controller reads.</summary>
public static class CommandAnnotations
{
    /// <summary>Seconds over which targets' starts are spread (set by a ScheduledTask's jitterSeconds).</summary>
    public const string JitterSeconds = "ops.dev/jitter-seconds";
}
