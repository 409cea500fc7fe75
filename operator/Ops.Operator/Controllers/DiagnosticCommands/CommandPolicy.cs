using Ops.Agent.V1.Actions;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// What a command may ask for, decided once before any target is listed: an action of the catalogue, with
/// parameters its definition accepts (the agents check them again), and no heavy capture where the
/// operator's configuration disables them.
/// </summary>
public sealed record CommandPolicy(IReadOnlySet<string> HeavyActionsDisabledNamespaces)
{
    /// <summary>Null when the command may run; else why not, as the reason and message of its refusal.</summary>
    public TargetPlan? Refusal(V1Alpha1DiagnosticCommand command)
    {
        var action = command.Spec.Action;
        if (ActionCatalogue.Find(action) is not { } definition)
        {
            return TargetPlan.Invalid("UnknownAction", $"spec.action \"{action}\" is not an action of the catalogue: {string.Join(", ", ActionCatalogue.All.Select(a => a.Name).Order(StringComparer.Ordinal))}");
        }
        if (definition.Problems(command.Spec.Parameters) is { Count: > 0 } problems)
        {
            return TargetPlan.Invalid("InvalidParameters", $"spec.parameters of {action}: {string.Join("; ", problems)}");
        }
        return definition.Heavy && HeavyActionsDisabledNamespaces.Contains(command.Metadata.NamespaceProperty ?? "")
            ? TargetPlan.Invalid("HeavyActionsDisabled", $"{action} is a heavy capture, and the operator does not allow heavy captures in namespace {command.Metadata.NamespaceProperty}")
            : null;
    }
}
