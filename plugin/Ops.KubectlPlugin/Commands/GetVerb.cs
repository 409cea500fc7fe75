using System.CommandLine;
using Ops.KubectlPlugin.Cli;
using Ops.KubectlPlugin.Output;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.KubectlPlugin.Commands;

/// <summary>kubectl ops get: the namespace's DiagnosticCommands, or one with its results.</summary>
public static class GetVerb
{
    public static Command Create(PluginContext context)
    {
        var name = new Argument<string?>("NAME") { Description = "A DiagnosticCommand; every one in the namespace when not given.", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--output", "-o") { Description = "table, yaml or json.", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong(ObjectPrinter.Formats);
        var command = new Command("get", """
            List the DiagnosticCommands of the namespace, or show one: its phase and counts, then a row per target.

            Examples:
              kubectl ops get -n shop
              kubectl ops get -n shop dotnet-stacks-x7k2p
              kubectl ops get -n shop dotnet-stacks-x7k2p -o yaml
            """) { name, output };
        command.SetAction((parsed, ct) => context.RunAsync(parsed, async (session, api, token) =>
        {
            var terminal = context.Terminal;
            if (parsed.GetValue(name) is { } one)
            {
                var found = await api.GetCommandAsync(one, token);
                if (ObjectPrinter.TryWrite(terminal.Output, parsed.GetValue(output)!, found)) return ExitCodes.Success;
                await terminal.Output.WriteLineAsync($"{found.Metadata.Name}: {found.Spec.Action} {terminal.Phase(found.Status?.Phase)}, {CommandFollower.Counts(found.Status?.Targets)}");
                await RunVerb.WriteOutcomeAsync(terminal, found);
                return ExitCodes.Success;
            }
            var all = await api.ListCommandsAsync(token);
            if (ObjectPrinter.TryWrite(terminal.Output, parsed.GetValue(output)!, all)) return ExitCodes.Success;
            if (all.Count == 0)
            {
                await terminal.Error.WriteLineAsync($"No DiagnosticCommands in {session.Namespace}.");
                return ExitCodes.Success;
            }
            Columns.Write(terminal.Output, ["NAME", "ACTION", "PHASE", "TARGETS", "AGE"], all.OrderBy(c => c.Metadata.CreationTimestamp).Select(c => (IReadOnlyList<string>)
            [
                c.Metadata.Name, c.Spec.Action, terminal.Phase(c.Status?.Phase), Targets(c.Status?.Targets), Age(c.Metadata.CreationTimestamp),
            ]));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static string Targets(V1Alpha1DiagnosticCommand.TargetCounts? counts) =>
        counts is null ? "" : $"{counts.Succeeded}/{counts.Total}{(counts.Failed > 0 ? $" ({counts.Failed} failed)" : "")}";

    /// <summary>An age as kubectl prints it: 45s, 12m, 3h, 2d.</summary>
    public static string Age(DateTime? created)
    {
        if (created is not { } at) return "";
        var age = DateTime.UtcNow - at.ToUniversalTime();
        return age.TotalSeconds < 120 ? $"{Math.Max(0, (int)age.TotalSeconds)}s" : age.TotalMinutes < 120 ? $"{(int)age.TotalMinutes}m" : age.TotalHours < 48 ? $"{(int)age.TotalHours}h" : $"{(int)age.TotalDays}d";
    }
}
