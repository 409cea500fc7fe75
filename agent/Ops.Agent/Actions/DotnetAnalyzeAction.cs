using Ops.Agent.Artifacts;
using Ops.Agent.Dumps;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>
/// dotnet.analyze: the analysis of a dump already in this node's artifact store, by name. A pod target may analyse only
/// a dump of that same pod and container (the artifact's name carries a hash of its target), so a team cannot read
/// another namespace's dump by guessing its name; a node target, which only the namespaces its policies allow may use,
/// any dump on the node. A dump over Agent:DumpAnalysis:MaxDumpBytes needs force.
/// </summary>
public sealed class DotnetAnalyzeAction(ArtifactStore artifacts, DumpAnalyses analyses, Processes.ProcessLocator locator, Dotnet.DotnetProcessFinder finder,
    Microsoft.Extensions.Options.IOptions<Hosting.AgentOptions> options) : IAgentAction
{
    public ActionDefinition Definition => ActionCatalogue.DotnetAnalyze.Definition;

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var name = context.Required(ActionCatalogue.DotnetAnalyze.Artifact);
        var file = artifacts.Find(name) ?? throw new ActionParameterException($"no artifact {name} on this node (it may have expired, or be on another node: run the analysis on the dump's pod)");
        if (!context.Target.Node && ArtifactStore.TargetOf(name) != ArtifactStore.TargetOf(ArtifactStore.NameOf(context.CommandUid, context.TargetKey, "x.dmp")))
        {
            throw new ActionParameterException($"artifact {name} is not a dump of pod {context.Target.Pod} container {context.Target.Container}: a pod target analyses only its own dumps");
        }
        var limit = options.Value.DumpAnalysis.MaxDumpBytes;
        if (file.Length > limit && !context.Flag(ActionCatalogue.DotnetAnalyze.Force))
        {
            throw new ActionParameterException($"{name} is {file.Length >> 20} MiB, over the {limit >> 20} MiB this agent analyses unasked (Agent:DumpAnalysis:MaxDumpBytes); set parameter force to true to analyse it anyway");
        }
        var (findings, details, artifact) = await analyses.AnalyzeAsync(context, file.FullName, name, DebuggingLibraryOf(context), cancellationToken);
        return ActionOutcome.Success($"{findings}analysis artifact {artifact.Name}: {artifact.SizeBytes} bytes, sha256 {artifact.Sha256}\n{details}", artifacts: [artifact]);
    }

    /// <summary>The pod's process's own debugging library while it runs (it matches the dump's runtime when the process is the one dumped); else none.</summary>
    private string? DebuggingLibraryOf(ActionContext context)
    {
        if (context.Target.Node) return null;
        try
        {
            return finder.DebuggingLibraryOf(locator.Select(context.Target).Pid);
        }
        catch (ActionParameterException)
        {
            return null;
        }
    }
}
