using System.Text;
using System.Text.Json;
using Ops.Agent.Actions;
using Ops.Agent.Artifacts;
using Ops.Agent.V1;

namespace Ops.Agent.Dumps;

/// <summary>
/// A dump's analysis as an action reports it: the findings first (the status keeps the output's first KiB, so a deadlock
/// is what a user reads there), the full text after, the JSON last; and the JSON kept as an artifact beside the dump.
/// </summary>
public sealed class DumpAnalyses(DumpAnalysisRunner runner, ArtifactStore artifacts)
{
    public async Task<(string Findings, string Details, ArtifactInfo Artifact)> AnalyzeAsync(ActionContext context, string dumpPath, string dumpName, string? debuggingLibrary, CancellationToken cancellationToken)
    {
        var analysis = await runner.AnalyzeAsync(dumpPath, debuggingLibrary, cancellationToken);
        var json = JsonSerializer.Serialize(analysis, DumpAnalysisCommand.Json);
        var name = $"{Path.GetFileNameWithoutExtension(ArtifactStore.FileNameOf(dumpName))}.analysis.json";
        var artifact = await artifacts.CreateAsync(context.CommandUid, context.TargetKey, name, "application/json",
            async (output, ct) => await output.WriteAsync(Encoding.UTF8.GetBytes(json), ct), cancellationToken);
        var findings = string.Join("", DumpAnalysisText.Findings(analysis).Select(line => line + "\n"));
        return (findings, DumpAnalysisText.Render(analysis, dumpName) + json + "\n", artifact);
    }
}
