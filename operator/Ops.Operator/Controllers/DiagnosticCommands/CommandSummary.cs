using System.Text;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>How a command's outcome reads in its conditions and Events: the counts, and the first failed target's reason.</summary>
internal static class CommandSummary
{
    public static string Of(V1Alpha1DiagnosticCommand.TargetCounts counts, string phase) => phase switch
    {
        CommandPhase.Succeeded => counts.Total == 1 ? "the target succeeded" : $"all {counts.Total} targets succeeded",
        CommandPhase.Cancelled => $"cancelled: {counts.Succeeded} of {counts.Total} targets succeeded before the cancel",
        _ => $"{counts.Failed} of {counts.Total} targets failed",
    };

    /// <summary>" (allowed by DiagnosticPolicy a, b)", from what the start recorded; empty for a command started before policies.</summary>
    public static string AllowedBy(V1Alpha1DiagnosticCommand command) =>
        command.Metadata.Annotations is { } annotations && annotations.TryGetValue(CommandAnnotations.Policies, out var names) && names.Length > 0
            ? names == Policies.NamedPolicy.Default.Name ? " (allowed by the default policy: no DiagnosticPolicy selects the namespace)" : $" (allowed by DiagnosticPolicy {names.Replace(",", ", ", StringComparison.Ordinal)})"
            : "";

    /// <summary>", requested by USER (groups ...)" for a command's Events (<see cref="CommandAudit.RequesterOf"/>); nothing when nobody is named.</summary>
    public static string RequestedBy(string requester) => requester == "unknown" ? "" : $", requested by {requester}";

    public static string Targets(int count) => count == 1 ? "1 target" : $"{count} targets";

    public static string FirstFailure(IEnumerable<TargetRecord> records) =>
        records.Where(r => r.Phase == TargetPhase.Failed && !string.IsNullOrEmpty(r.Message)).OrderBy(r => r.Target.Key, StringComparer.Ordinal).FirstOrDefault() is { } failed
            ? $"; {Describe(failed.Target)}: {CommandStatusBuilder.Cut(Encoding.UTF8.GetBytes(failed.Message!), 512)}"
            : "";

    private static string Describe(CommandTarget target) => target.IsNode ? $"node {target.Node}" : $"pod {target.Pod} container {target.Container}";
}
