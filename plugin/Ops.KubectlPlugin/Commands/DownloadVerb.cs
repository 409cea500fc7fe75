using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Ops.KubectlPlugin.Artifacts;
using Ops.KubectlPlugin.Cli;
using Ops.Operator.Api.V1Alpha1;
using Spectre.Console;

namespace Ops.KubectlPlugin.Commands;

/// <summary>kubectl ops download: an artifact to a file, over TLS with the caller's credentials, resumed after a cut and checked against its sha256.</summary>
public static class DownloadVerb
{
    public static Command Create(PluginContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The DiagnosticCommand." };
        var artifactName = new Argument<string?>("ARTIFACT") { Description = "The artifact (its name, or the end of it such as cpu-sampling.nettrace); the command's only artifact when not given.", Arity = ArgumentArity.ZeroOrOne };
        var path = new Option<string?>("--output-file", "-o") { Description = "Where to write it: a file, or a directory (the artifact's name inside). Default: the artifact's name here." };
        var command = new Command("download", """
            Download an artifact through the operator (kubectl port-forward to its Service, TLS with the Ops CA, your own
            token deciding what you may read). A cut download resumes where it stopped (PATH.part); the file is checked
            against the sha256 in the command's status and refused (exit 1, nothing written) when it does not match.

            Examples:
              kubectl ops download -n shop dotnet-trace-x7k2p
              kubectl ops download -n shop dotnet-dump-q2m9z heap.dmp -o /tmp/dumps/
            """) { name, artifactName, path };
        command.SetAction((parsed, ct) => context.RunAsync(parsed, async (session, api, token) =>
        {
            var found = await api.GetCommandAsync(parsed.GetValue(name)!, token);
            var artifact = Choose(found, parsed.GetValue(artifactName));
            var target = parsed.GetValue(path) is { } given ? Directory.Exists(given) ? Path.Combine(given, artifact.Name) : given : artifact.Name;
            var downloader = new ArtifactDownloader(session, api);
            var watch = Stopwatch.StartNew();
            var terminal = context.Terminal;
            long received = 0;
            if (terminal.Interactive)
            {
                await terminal.Console().Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                    .StartAsync(async progress =>
                    {
                        var bar = progress.AddTask(Markup.Escape(artifact.Name), maxValue: Math.Max(1, artifact.SizeBytes ?? 1));
                        received = await downloader.DownloadAsync(found.Metadata.Name, artifact, target, held => bar.Value = held, line => terminal.Error.WriteLine(line), token);
                    });
            }
            else
            {
                received = await downloader.DownloadAsync(found.Metadata.Name, artifact, target, _ => { }, line => terminal.Error.WriteLine(line), token);
            }
            var bytes = new FileInfo(target).Length;
            await terminal.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{artifact.Name}: {bytes} bytes ({received} received) in {watch.Elapsed.TotalSeconds:0.0} s ({received / 1048576.0 / Math.Max(0.001, watch.Elapsed.TotalSeconds):0.0} MiB/s), sha256 {artifact.Sha256 ?? "(none given)"} verified"));
            await terminal.Output.WriteLineAsync(target);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static V1Alpha1DiagnosticCommand.ArtifactRef Choose(V1Alpha1DiagnosticCommand command, string? wanted)
    {
        var all = (command.Status?.Results ?? []).SelectMany(r => r.Artifacts ?? []).ToList();
        if (all.Count == 0) throw PluginException.Usage($"{command.Metadata.Name} has no artifacts");
        var listed = string.Join(", ", all.Select(a => a.Name));
        if (wanted is null) return all.Count == 1 ? all[0] : throw PluginException.Usage($"{command.Metadata.Name} has {all.Count} artifacts; name one: {listed}");
        var matching = all.Where(a => a.Name == wanted).ToList();
        if (matching.Count == 0) matching = [.. all.Where(a => a.Name.EndsWith("-" + wanted, StringComparison.Ordinal))];
        return matching.Count switch
        {
            1 => matching[0],
            0 => throw PluginException.Usage($"{command.Metadata.Name} has no artifact {wanted}; its artifacts: {listed}"),
            _ => throw PluginException.Usage($"{wanted} names {matching.Count} artifacts of {command.Metadata.Name}; give the whole name: {string.Join(", ", matching.Select(a => a.Name))}"),
        };
    }
}
