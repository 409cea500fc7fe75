using System.CommandLine;
using Ops.KubectlPlugin.Cli;

namespace Ops.KubectlPlugin.Commands;

/// <summary>kubectl ops completion: the kubectl_complete-ops script, for installs that did not bring it (a .NET tool).</summary>
public static class CompletionVerb
{
    public const string Script = """
        #!/bin/sh
        # Completions for `kubectl ops`: kubectl (1.26 and later) runs kubectl_complete-ops from the PATH when it completes a
        # plugin's arguments, in bash and zsh alike (source <(kubectl completion bash) or zsh). Keep it beside kubectl-ops.
        exec kubectl-ops __complete "$@"

        """;

    public static Command Create(PluginContext context)
    {
        var command = new Command("completion", """
            Print the script that gives kubectl ops shell completion in bash and zsh through kubectl's own completion
            (kubectl 1.26 and later finds kubectl_complete-ops on the PATH). The single-file download ships it already.

            Example:
              kubectl ops completion > ~/.local/bin/kubectl_complete-ops && chmod +x ~/.local/bin/kubectl_complete-ops
              source <(kubectl completion bash)      # or: source <(kubectl completion zsh)
            """);
        command.SetAction(async (_, ct) =>
        {
            await context.Terminal.Output.WriteAsync(Script.AsMemory(), ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
