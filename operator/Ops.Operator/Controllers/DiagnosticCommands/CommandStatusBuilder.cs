using System.Text;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// Computes a command's status from its targets: counts, phase, and a bounded list of results
/// (failures first) with the first KiB of each output, so the status stays small at any fan-out.
/// </summary>
public static class CommandStatusBuilder
{
    /// <summary>Results listed in status; the rest are counted in omittedResults and kept in the result shards.</summary>
    public const int MaxListedResults = 100;

    public const int SummaryBytes = 1024;

    public static (V1Alpha1DiagnosticCommand.TargetCounts Counts, string Phase, List<V1Alpha1DiagnosticCommand.TargetResult> Results, int Omitted) Build(
        IReadOnlyCollection<TargetRecord> records, IReadOnlyDictionary<string, string> resultRefs, bool cancelled)
    {
        var counts = new V1Alpha1DiagnosticCommand.TargetCounts
        {
            Total = records.Count,
            Pending = records.Count(r => r.Phase == TargetPhase.Pending),
            Running = records.Count(r => r.Phase == TargetPhase.Running),
            Succeeded = records.Count(r => r.Phase == TargetPhase.Succeeded),
            Failed = records.Count(r => r.Phase is TargetPhase.Failed or TargetPhase.Cancelled),
        };
        var finished = records.Where(r => r.IsFinished).ToList();
        var phase = finished.Count < records.Count
            ? counts.Running + finished.Count == 0 ? CommandPhase.Pending : CommandPhase.Running
            : cancelled ? CommandPhase.Cancelled
            : counts.Failed == 0 ? CommandPhase.Succeeded
            : counts.Succeeded == 0 ? CommandPhase.Failed
            : CommandPhase.PartiallyFailed;
        var listed = finished
            .OrderBy(r => r.Phase == TargetPhase.Succeeded ? 1 : 0)
            .ThenBy(r => r.Target.Key, StringComparer.Ordinal)
            .Take(MaxListedResults)
            .Select(r => new V1Alpha1DiagnosticCommand.TargetResult
            {
                Target = new V1Alpha1DiagnosticCommand.TargetRef { Pod = r.Target.Pod, Container = r.Target.Container, Node = r.Target.Node, Pid = r.Pid is > 0 ? r.Pid : null },
                Phase = r.Phase,
                ExitCode = r.ExitCode,
                DurationMs = r.DurationMs,
                Message = string.IsNullOrEmpty(r.Message) ? null : Cut(Encoding.UTF8.GetBytes(r.Message), SummaryBytes),
                Summary = r.Output is { Length: > 0 } output ? Cut(output, SummaryBytes) : null,
                ResultRef = resultRefs.GetValueOrDefault(r.Target.Key),
                Truncated = r.Truncated ? true : null,
                Artifacts = r.Artifacts is { Count: > 0 } artifacts
                    ? [.. artifacts.Select(a => new V1Alpha1DiagnosticCommand.ArtifactRef { Name = a.Name, Node = r.Target.Node, SizeBytes = a.SizeBytes, Sha256 = a.Sha256 })]
                    : null,
            })
            .ToList();
        return (counts, phase, listed, finished.Count - listed.Count);
    }

    /// <summary>At most <paramref name="max"/> bytes of UTF-8, never splitting a character.</summary>
    public static string Cut(byte[] utf8, int max)
    {
        if (utf8.Length <= max) return Encoding.UTF8.GetString(utf8);
        var end = max;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) end--;
        return Encoding.UTF8.GetString(utf8, 0, end) + "…";
    }
}
