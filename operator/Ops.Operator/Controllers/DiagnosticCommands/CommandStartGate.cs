using Ops.ControllerRuntime.Client;
using Ops.Operator.Policies;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// Decides a command's start, cheapest check first: what the admission webhook checks too (<see cref="CommandSpecCheck"/>:
/// the catalogue, the target's shape, the policies of its namespace), then for a heavy action the artifact bytes of the
/// day, the namespace's running commands against its limit, then its targets (listed from the API) against the most a
/// command may have. The reconciler acts on the decision.
/// </summary>
public sealed class CommandStartGate(CommandSpecCheck check, NamespacePolicies policies, ArtifactLedger ledger, CommandAdmission admission, TargetLister targets, Metrics.OperatorMetrics metrics)
{
    public const string PolicyDenied = "PolicyDenied";

    /// <summary>How often a queued command looks again without being woken (its namespace's limit may have been raised): seldom, since thousands may wait.</summary>
    public static readonly TimeSpan QueuedRecheck = TimeSpan.FromMinutes(1);

    public async Task<StartDecision> DecideAsync(Api.V1Alpha1.V1Alpha1DiagnosticCommand command, CancellationToken cancellationToken)
    {
        if (check.Refusal(command) is { } refused)
        {
            return refused.Denial is { } denial ? Denied(denial) : StartDecision.Refused(TargetPlan.Invalid(refused.Reason, refused.Message));
        }
        var ns = command.Metadata.NamespaceProperty ?? "";
        // The namespace is not in the informer's cache yet (created a moment ago): its labels decide which policies apply.
        if (policies.For(ns) is not { } applying) return StartDecision.Later(null, TimeSpan.FromSeconds(1));
        if (PolicyEvaluator.CountsArtifacts(command.Spec.Action, applying)
            && PolicyEvaluator.ArtifactBytesRefusal(ns, command.Spec.Action, await ledger.WrittenTodayAsync(ns, cancellationToken), applying) is { } spent) return Denied(spent);
        var (limit, limiting) = PolicyEvaluator.ConcurrencyLimit(applying);
        var (place, running) = admission.TryEnter(NamespacedName.Of(command), command.Metadata.Uid, limit);
        if (place is null)
        {
            // Woken when a place frees; the retry is for a policy whose limit is raised meanwhile.
            return StartDecision.Later($"namespace {ns} runs {running} commands, the most {limiting.Describe(ns)} allows at once (maxConcurrentCommands {limit}); this one starts when one of them finishes", QueuedRecheck);
        }
        try
        {
            var plan = await targets.ResolveAsync(command, cancellationToken);
            if (!plan.IsValid) return Release(place, StartDecision.Refused(plan));
            if (PolicyEvaluator.TargetsRefusal(ns, plan.Targets.Count, applying) is { } tooMany) return Release(place, Denied(tooMany));
            return new StartDecision(plan, applying, place);
        }
        catch
        {
            place.Dispose();
            throw;
        }
    }

    private StartDecision Denied(PolicyDenial denial)
    {
        metrics.CommandsRefusedByPolicy.WithLabels(denial.Rule).Inc();
        return StartDecision.Refused(TargetPlan.Invalid(PolicyDenied, denial.Message));
    }

    private static StartDecision Release(IDisposable place, StartDecision decision)
    {
        place.Dispose();
        return decision;
    }
}
