using System.CommandLine;
using System.Globalization;
using Ops.KubectlPlugin.Cli;
using Ops.KubectlPlugin.Output;

namespace Ops.KubectlPlugin.Commands;

/// <summary>kubectl ops artifacts: the files a command's targets produced, with their nodes, sizes and checksums.</summary>
public static class ArtifactsVerb
{
    public static Command Create(PluginContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The DiagnosticCommand." };
        var command = new Command("artifacts", """
            The artifacts (traces, heap snapshots, dumps, analyses) of a command's targets.

            Example:
              kubectl ops artifacts -n shop dotnet-trace-x7k2p
            """) { name };
        command.SetAction((parsed, ct) => context.RunAsync(parsed, async (session, api, token) =>
        {
            var found = await api.GetCommandAsync(parsed.GetValue(name)!, token);
            var rows = (found.Status?.Results ?? []).SelectMany(r => (r.Artifacts ?? []).Select(a => (IReadOnlyList<string>)
                [a.Name, ResultRows.TargetOf(r.Target), a.Node ?? r.Target.Node ?? "", Size(a.SizeBytes), a.Sha256 ?? ""])).ToList();
            if (rows.Count == 0)
            {
                await context.Terminal.Error.WriteLineAsync($"{found.Metadata.Name} has no artifacts.");
                return ExitCodes.Success;
            }
            Columns.Write(context.Terminal.Output, ["NAME", "TARGET", "NODE", "SIZE", "SHA256"], rows);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    public static string Size(long? bytes) => bytes switch
    {
        null => "",
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.#} MiB"),
    };
}
