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

    public static string Targets(int count) => count == 1 ? "1 target" : $"{count} targets";

    public static string FirstFailure(IEnumerable<TargetRecord> records) =>
        records.Where(r => r.Phase == TargetPhase.Failed && !string.IsNullOrEmpty(r.Message)).OrderBy(r => r.Target.Key, StringComparer.Ordinal).FirstOrDefault() is { } failed
            ? $"; {Describe(failed.Target)}: {CommandStatusBuilder.Cut(Encoding.UTF8.GetBytes(failed.Message!), 512)}"
            : "";

    private static string Describe(CommandTarget target) => target.IsNode ? $"node {target.Node}" : $"pod {target.Pod} container {target.Container}";
}
