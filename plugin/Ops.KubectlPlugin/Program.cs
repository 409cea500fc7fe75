using System.CommandLine;
using Ops.KubectlPlugin.Cli;
using Ops.KubectlPlugin.Commands;

namespace Ops.KubectlPlugin;

/// <summary>
/// kubectl ops: Ops from the command line. kubectl runs this program when it is on the PATH as kubectl-ops; it reads the
/// kubeconfig, context and namespace as kubectl does and talks to the API server only (and, for downloads, to the
/// operator through kubectl port-forward).
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var context = new PluginContext(Terminal.FromEnvironment());
        var root = PluginCommands.Create(context);
        if (args is ["__complete", .. var words]) return Completions.Write(root, words, Console.Out);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) await Console.Error.WriteLineAsync($"error: {error.Message}");
            await Console.Error.WriteLineAsync($"see: kubectl ops {string.Join(' ', CommandPath(parsed))} --help");
            return ExitCodes.Usage;
        }
        using var interrupt = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            interrupt.Cancel();
        };
        return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = true }, interrupt.Token);
    }

    private static IEnumerable<string> CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var result = parsed.CommandResult; result is not null && result.Command is not RootCommand; result = result.Parent as System.CommandLine.Parsing.CommandResult) names.Insert(0, result.Command.Name);
        return names;
    }
}
