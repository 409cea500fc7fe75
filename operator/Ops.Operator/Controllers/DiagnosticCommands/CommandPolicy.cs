using Ops.Agent.V1.Actions;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// What any command may ask for, decided once before any target is listed: an action of the catalogue, with
/// parameters its definition accepts (the agents check them again). What a namespace may ask for is its
/// DiagnosticPolicies' to say (<see cref="Policies.PolicyEvaluator"/>).
/// </summary>
public sealed class CommandPolicy
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
        return null;
    }
}
