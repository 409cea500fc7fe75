using System.CommandLine;

namespace Ops.KubectlPlugin.Cli;

/// <summary>
/// Shell completion as kubectl asks a plugin for it (kubectl_complete-ops, which runs kubectl-ops __complete WORDS...):
/// the candidates for the last word, one a line with its description after a tab, then ":4" (cobra's "no file
/// completion" directive), which kubectl's own bash and zsh completion scripts understand.
/// </summary>
public static class Completions
{
    public const string NoFileCompletion = ":4";

    public static int Write(RootCommand root, string[] words, TextWriter output)
    {
        var line = words.Length == 0 ? [""] : words;
        var parsed = root.Parse(line);
        foreach (var item in parsed.GetCompletions())
        {
            output.WriteLine(item.Detail is { Length: > 0 } detail ? $"{item.Label}\t{detail.Split('\n')[0]}" : item.Label);
        }
        output.WriteLine(NoFileCompletion);
        return ExitCodes.Success;
    }
}
