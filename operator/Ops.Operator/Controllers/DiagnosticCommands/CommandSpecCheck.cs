using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Policies;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>Why a command's spec cannot run: the reason of its condition, the message, and the policy's denial when a policy refused it.</summary>
public sealed record SpecRefusal(string Reason, string Message, PolicyDenial? Denial)
{
    /// <summary>The message with the field it is about first, as the admission webhook answers (catalogue and target messages name theirs already).</summary>
    public string WithField => Denial is { } denial ? $"{denial.Field}: {Message}" : Message;
}

/// <summary>
/// What a command's spec must be before any target is listed: an action of the catalogue with parameters it accepts,
/// a target of the right shape, and what the DiagnosticPolicies of its namespace allow. Asked by the admission webhook
/// of commands and of ScheduledTasks' templates, by the ScheduledTask controller, and again when a command starts
/// (<see cref="CommandStartGate"/>), because the webhook may have been down.
/// </summary>
public sealed class CommandSpecCheck(CommandPolicy catalogue, TargetResolver resolver, NamespacePolicies policies)
{
    /// <summary>Null when the spec may run — or when its namespace's labels are not known yet, so no policy can be chosen (the start decides then).</summary>
    public SpecRefusal? Refusal(V1Alpha1DiagnosticCommand command)
    {
        if ((catalogue.Refusal(command) ?? resolver.SpecProblem(command)) is { } invalid) return new(invalid.Reason!, invalid.Message!, null);
        return policies.For(command.Metadata.NamespaceProperty ?? "") is { } applying && PolicyEvaluator.Refusal(command, applying) is { } denial
            ? new(CommandStartGate.PolicyDenied, denial.Message, denial)
            : null;
    }
}
