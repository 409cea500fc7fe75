using System.CommandLine;

namespace Ops.KubectlPlugin.Cli;

/// <summary>
/// What every verb shares: the terminal, and kubectl's own flags (--kubeconfig, --context, -n) plus --ops-namespace,
/// given anywhere on the line; and the one place a verb's errors become a message and an exit code.
/// </summary>
public sealed class PluginContext(Terminal terminal)
{
    public Terminal Terminal { get; } = terminal;

    public Option<string?> Kubeconfig { get; } = new("--kubeconfig") { Description = "The kubeconfig file (else KUBECONFIG, else ~/.kube/config).", Recursive = true };

    public Option<string?> Context { get; } = new("--context") { Description = "The kubeconfig context (else its current context).", Recursive = true };

    public Option<string?> Namespace { get; } = new("--namespace", "-n") { Description = "The namespace (else the context's, else default).", Recursive = true };

    public Option<string> OpsNamespace { get; } = new("--ops-namespace") { Description = "Where Ops is installed: its operator's Service and CA.", DefaultValueFactory = _ => "ops-system", Recursive = true };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Kubeconfig);
        root.Options.Add(Context);
        root.Options.Add(Namespace);
        root.Options.Add(OpsNamespace);
    }

    /// <summary>Runs a verb against the cluster: a plain message and the right exit code for what went wrong, no stack trace.</summary>
    public async Task<int> RunAsync(ParseResult parsed, Func<KubeSession, Api, CancellationToken, Task<int>> verb, CancellationToken cancellationToken)
    {
        try
        {
            using var session = KubeSession.Open(parsed.GetValue(Kubeconfig), parsed.GetValue(Context), parsed.GetValue(Namespace), parsed.GetValue(OpsNamespace)!);
            return await verb(session, new Api(session), cancellationToken);
        }
        catch (PluginException e)
        {
            await Terminal.Error.WriteLineAsync($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Terminal.Error.WriteLineAsync("interrupted");
            return 130;
        }
    }
}
