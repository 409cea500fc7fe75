using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Ops.Agent.Artifacts;
using Ops.Agent.Dotnet;
using Ops.Agent.Dumps;
using Ops.Agent.Processes;
using Ops.Agent.V1;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>
/// dotnet.crashdumps: the dumps the runtime wrote when a process of the target container crashed. They are found
/// through the container as it runs again (the volume they were written to outlives the crashed container, and the
/// restarted process has the same environment, so its DOTNET_DbgMiniDumpName says where they are); each is kept as an
/// artifact of the pod (named for the pod and the file, so a second look keeps it once) under the budget and TTL, and
/// the newest is analysed. Reading only inside the container's own root, a team sees only its own pod's dumps.
/// </summary>
public sealed class DotnetCrashDumpsAction(ProcessLocator locator, DotnetProcessFinder finder, ArtifactStore artifacts, DumpAnalyses analyses,
    IOptions<Hosting.AgentOptions> options, TimeProvider clock) : IAgentAction
{
    /// <summary>The command part of a kept crash dump's name: it belongs to the pod, not to the command that found it.</summary>
    public const string ArtifactOwner = "crash";

    private const string ContentType = "application/x-coredump";

    public ActionDefinition Definition => ActionCatalogue.DotnetCrashDumps.Definition;

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        if (context.Target.Node) throw new ActionParameterException("dotnet.crashdumps reads a pod's containers: give it pods as its target, not nodes");
        var processes = locator.ProcessesOf(context.Target);
        if (processes.Count == 0)
        {
            throw new ActionParameterException($"container {context.Target.Container} has no running process: its crash dumps are read through the container once it runs again (the volume they are in outlives the crash); try again then");
        }
        var selected = locator.Select(context.Target, processes);
        var (shown, hostDirectory, settings, warning) = Locate(context, processes, selected);
        var output = new StringBuilder(warning);
        if (!Directory.Exists(hostDirectory)) return ActionOutcome.Success($"{output}no crash dumps: {shown} does not exist in container {context.Target.Container}\n", selected.Pid);

        var listing = CrashDumpDirectory.List(hostDirectory, settings, clock.GetUtcNow().UtcDateTime);
        output.Append(CultureInfo.InvariantCulture, $"crash dumps in {shown}{(settings is null ? "" : $" ({CrashDumpSettings.NameVariable}={settings.Template}, {settings.Type} dumps)")}: {listing.Dumps.Count}");
        if (listing.Older > 0) output.Append(CultureInfo.InvariantCulture, $", and {listing.Older} older not kept by this command");
        if (listing.BeingWritten > 0) output.Append(CultureInfo.InvariantCulture, $", and {listing.BeingWritten} still being written");
        output.Append('\n');

        var kept = new List<ArtifactInfo>();
        foreach (var dump in listing.Dumps)
        {
            // Described before it is kept: remove deletes it.
            var line = string.Create(CultureInfo.InvariantCulture, $"  {dump.Name}  {dump.Length / 1048576.0:0.0} MiB  written {dump.LastWriteTimeUtc:yyyy-MM-ddTHH:mm:ssZ}");
            var (artifact, note) = await KeepAsync(context, dump, cancellationToken);
            if (artifact is not null) kept.Add(artifact);
            output.Append(line).Append("  ").Append(note).Append('\n');
        }
        if (listing.Dumps is not [var newest, ..] || kept.Count == 0 || !context.Flag(ActionCatalogue.DotnetCrashDumps.Analyze))
        {
            return ActionOutcome.Success(output.ToString(), selected.Pid, kept);
        }
        var newestKept = kept.FirstOrDefault(a => a.Name == NameOf(context, newest));
        if (newestKept is null) return ActionOutcome.Success($"{output}the newest crash dump was not kept, so not analysed\n", selected.Pid, kept);
        if (newestKept.SizeBytes > options.Value.DumpAnalysis.MaxDumpBytes)
        {
            return ActionOutcome.Success($"{output}the newest crash dump is over the {options.Value.DumpAnalysis.MaxDumpBytes >> 20} MiB this agent analyses unasked: run dotnet.analyze on {newestKept.Name} with force\n", selected.Pid, kept);
        }
        try
        {
            var (findings, details, analysis) = await analyses.AnalyzeAsync(context, Path.Combine(artifacts.Directory, newestKept.Name), newestKept.Name, finder.DebuggingLibraryOf(selected.Pid), cancellationToken);
            return ActionOutcome.Success($"{findings}{output}analysis of {newest.Name}: artifact {analysis.Name}: {analysis.SizeBytes} bytes, sha256 {analysis.Sha256}\n{details}", selected.Pid, [.. kept, analysis]);
        }
        catch (ActionParameterException e)
        {
            return ActionOutcome.Success($"{output}the newest crash dump was not analysed: {e.Message}\n", selected.Pid, kept);
        }
    }

    /// <summary>
    /// The directory to look in, as shown and as the node reaches it. Given, it is a path of the container (under its
    /// root); else it comes from a process's DOTNET_DbgMiniDumpName, a path as that process sees it (under its root).
    /// </summary>
    private (string Shown, string HostDirectory, CrashDumpSettings? Settings, string Warning) Locate(ActionContext context, IReadOnlyList<ProcessInfo> processes, ProcessInfo selected)
    {
        var found = processes.OrderBy(p => p.Pid == selected.Pid ? 0 : 1).ThenBy(p => p.Pid)
            .Select(p => (Process: p, Settings: CrashDumpSettings.From(locator.Proc.EnvironmentOf(p.Pid))))
            .FirstOrDefault(p => p.Settings is not null);
        var warning = found.Settings is { Enabled: false }
            ? $"warning: DOTNET_DbgEnableMiniDump is not 1 in process {found.Process.NamespacePid}: its runtime writes no dump when it crashes\n"
            : "";
        if (context.Text(ActionCatalogue.DotnetCrashDumps.Directory) is { Length: > 0 } given)
        {
            // The template's file pattern applies only when it names this very directory.
            var settings = found.Settings?.Directory == given ? found.Settings : null;
            return (given, ContainerPath.Resolve(locator.FileRootOf(context.Target, selected), given), settings, warning);
        }
        if (found.Settings is not { } template)
        {
            throw new ActionParameterException($"no process of container {context.Target.Container} sets {CrashDumpSettings.NameVariable}: start it with DOTNET_DbgEnableMiniDump=1 and {CrashDumpSettings.NameVariable}=/crashdumps/%e.%p.%t.dmp on a volume mounted at /crashdumps (docs/dotnet-diagnostics.md), or give parameter directory");
        }
        if (template.Directory is not { } directory)
        {
            throw new ActionParameterException($"{CrashDumpSettings.NameVariable}={template.Template} names no fixed directory; give parameter directory");
        }
        return (directory, ContainerPath.Resolve(locator.Proc.RootOf(found.Process.Pid), directory), template, warning);
    }

    /// <summary>Copies a crash dump into the artifact store once; a copy already there (same name and length) is reused.</summary>
    private async Task<(ArtifactInfo? Artifact, string Note)> KeepAsync(ActionContext context, FileInfo dump, CancellationToken cancellationToken)
    {
        var name = NameOf(context, dump);
        ArtifactInfo artifact;
        string note;
        if (artifacts.Find(name) is { } stored && stored.Length == dump.Length)
        {
            artifact = await ArtifactStore.DescribeAsync(stored, ContentType, cancellationToken);
            note = $"kept before as {name}";
        }
        else
        {
            try
            {
                artifact = await artifacts.CreateAsync(ArtifactOwner, context.TargetKey, ArtifactStore.FileNameOf(name), ContentType, async (output, ct) =>
                {
                    await using var input = RegularFiles.OpenRead(dump.FullName) ?? throw new ActionParameterException($"{dump.Name} is no longer a regular file");
                    await input.CopyToAsync(output, ct);
                }, cancellationToken);
                note = $"kept as {name}";
            }
            catch (ArtifactBudgetException e)
            {
                return (null, $"not kept: {e.Message}");
            }
        }
        if (context.Flag(ActionCatalogue.DotnetCrashDumps.Remove))
        {
            dump.Delete();
            note += ", removed from the container's volume";
        }
        return (artifact, $"{note} (sha256 {artifact.Sha256})");
    }

    /// <summary>The pod's artifact for a crash dump: a safe file name ending in .dmp, as dotnet.analyze takes.</summary>
    private static string NameOf(ActionContext context, FileInfo dump)
    {
        var safe = new string([.. dump.Name.Take(180).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_')]).TrimStart('.', '-');
        return ArtifactStore.NameOf(ArtifactOwner, context.TargetKey, safe.EndsWith(".dmp", StringComparison.Ordinal) ? safe : safe + ".dmp");
    }
}
