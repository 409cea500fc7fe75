namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>The condition types a DiagnosticTrigger's status carries.</summary>
public static class TriggerConditions
{
    /// <summary>True when the spec is valid and the namespace's policies allow its action; False with the field and the rule.</summary>
    public const string Ready = "Ready";

    /// <summary>True while the trigger may fire; False when suspended, expired or not Ready.</summary>
    public const string Active = "Active";

    /// <summary>True while a limit holds crossings back (the trigger's window is full, or one was just withheld).</summary>
    public const string LimitReached = "LimitReached";
}
