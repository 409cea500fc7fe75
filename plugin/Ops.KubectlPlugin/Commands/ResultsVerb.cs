using System.CommandLine;
using Ops.KubectlPlugin.Cli;
using Ops.KubectlPlugin.Output;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.KubectlPlugin.Commands;

/// <summary>kubectl ops results: a command's results, and with --full each target's whole output from its result ConfigMap.</summary>
public static class ResultsVerb
{
    public static Command Create(PluginContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The DiagnosticCommand." };
        var target = new Option<string?>("--target") { Description = "Only this pod's (or node's) results." };
        var full = new Option<bool>("--full") { Description = "Each target's whole output (the status keeps its first KiB), read one result ConfigMap at a time." };
        var command = new Command("results", """
            A command's results: a row per target, or with --full every target's whole output.

            Examples:
              kubectl ops results -n shop dotnet-stacks-x7k2p
              kubectl ops results -n shop dotnet-stacks-x7k2p --target checkout-6d9f-abcde --full
            """) { name, target, full };
        command.SetAction((parsed, ct) => context.RunAsync(parsed, async (session, api, token) =>
        {
            var terminal = context.Terminal;
            var found = await api.GetCommandAsync(parsed.GetValue(name)!, token);
            var only = parsed.GetValue(target);
            var results = (found.Status?.Results ?? []).Where(r => only is null || r.Target.Pod == only || (r.Target.Pod is null && r.Target.Node == only)).ToList();
            if (only is not null && results.Count == 0) throw PluginException.Usage($"{found.Metadata.Name} has no result for {only} (its targets: {string.Join(", ", (found.Status?.Results ?? []).Select(r => r.Target.Pod ?? r.Target.Node))})");
            if (!parsed.GetValue(full))
            {
                if (found.Status is { } status) status.Results = results;
                await RunVerb.WriteOutcomeAsync(terminal, found);
                return ExitCodes.Success;
            }
            await FullOutputs.WriteAsync(terminal, api, session.Namespace, results, token);
            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
