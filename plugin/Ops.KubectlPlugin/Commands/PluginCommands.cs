using System.CommandLine;
using Ops.KubectlPlugin.Cli;

namespace Ops.KubectlPlugin.Commands;

/// <summary>Every verb of kubectl ops, under one root that carries kubectl's flags.</summary>
public static class PluginCommands
{
    public static RootCommand Create(PluginContext context)
    {
        var root = new RootCommand("""
            kubectl ops: run Ops diagnostics on pods and nodes, follow them, read their results, download their artifacts,
            follow agent rollouts and see why triggers fire or not. Reads the kubeconfig, context and namespace as kubectl does.
            Exit codes: 0 done and every target succeeded; 1 a target or the command failed, or a download did not verify;
            2 bad usage (nothing was created); 3 the cluster could not be reached or refused.
            """);
        context.AddTo(root);
        root.Subcommands.Add(RunVerb.Create(context));
        root.Subcommands.Add(GetVerb.Create(context));
        root.Subcommands.Add(ResultsVerb.Create(context));
        root.Subcommands.Add(CancelVerb.Create(context));
        root.Subcommands.Add(ArtifactsVerb.Create(context));
        root.Subcommands.Add(DownloadVerb.Create(context));
        root.Subcommands.Add(RolloutVerb.Create(context));
        root.Subcommands.Add(TriggersVerb.Create(context));
        root.Subcommands.Add(CompletionVerb.Create(context));
        return root;
    }
}
