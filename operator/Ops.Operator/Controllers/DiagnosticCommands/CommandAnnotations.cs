namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>Annotations on a DiagnosticCommand that its controller reads.</summary>
public static class CommandAnnotations
{
    /// <summary>Seconds over which targets' starts are spread (set by a ScheduledTask's jitterSeconds).</summary>
    public const string JitterSeconds = "ops.dev/jitter-seconds";

    /// <summary>The DiagnosticPolicies that allowed the command, written with its plan ("(default)" when none selects the namespace).</summary>
    public const string Policies = "ops.dev/policies";

    /// <summary>The annotations a start records beside the plan: which policies allowed it (shown in its Accepted condition).</summary>
    public static Dictionary<string, string> OfPolicies(IReadOnlyList<Ops.Operator.Policies.NamedPolicy> policies) => new()
    {
        [Policies] = string.Join(",", policies.Select(p => p.Name)),
    };
}
