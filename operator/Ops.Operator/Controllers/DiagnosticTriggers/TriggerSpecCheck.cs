using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;

namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>
/// What a trigger's spec must be before it watches anything: a name its commands can carry in a label, exactly one
/// condition, and a command its namespace may run (<see cref="CommandSpecCheck"/>, the check of every command, with
/// the fields named as the trigger has them). Asked by the admission webhook and by the controller.
/// </summary>
public sealed class TriggerSpecCheck(CommandSpecCheck commands)
{
    /// <summary>The longest trigger name: its commands carry it in the ops.dev/trigger label.</summary>
    public const int MaxNameLength = 63;

    public TriggerRefusal? Refusal(V1Alpha1DiagnosticTrigger trigger)
    {
        if (trigger.Metadata.Name is { Length: > MaxNameLength } name)
        {
            return new("InvalidName", $"metadata.name: at most {MaxNameLength} characters, not {name.Length}: the trigger's commands carry it in the {TriggerCommands.TriggerLabel} label", ByPolicy: false);
        }
        var condition = trigger.Spec.Condition;
        if ((condition.Counter is null ? 0 : 1) + (condition.ContainerRestarted is null ? 0 : 1) + (condition.ReadinessLost is null ? 0 : 1) != 1)
        {
            return new("InvalidCondition", "spec.condition: set exactly one of counter, containerRestarted and readinessLost", ByPolicy: false);
        }
        return commands.Refusal(TriggerCommands.Template(trigger)) is { } refusal
            ? new(refusal.Reason, FieldsOfTrigger(refusal.WithField), ByPolicy: refusal.Denial is not null)
            : null;
    }

    /// <summary>A command's field names as a trigger spells them: its action, parameters and timeout sit under spec.action, its pod target is spec.target.</summary>
    private static string FieldsOfTrigger(string message) => message
        .Replace("spec.parameters", "spec.action.parameters", StringComparison.Ordinal)
        .Replace("spec.action:", "spec.action.action:", StringComparison.Ordinal)
        .Replace("spec.timeoutSeconds", "spec.action.timeoutSeconds", StringComparison.Ordinal)
        .Replace("spec.target.pods.", "spec.target.", StringComparison.Ordinal);
}
