using System.Text.RegularExpressions;
using Ops.Agent.Actions;
using Ops.Agent.Processes;

namespace Ops.Agent.Dotnet;

/// <summary>
/// Finds a process's .NET diagnostics socket without a sidecar: the runtime creates
/// <c>dotnet-diagnostic-NSPID-STARTTIME-socket</c> in the process's TMPDIR (default /tmp), inside its own mount
/// namespace, named with its pid inside its own pid namespace. The agent (hostPID) reaches that file as
/// <c>/proc/PID/root/TMPDIR/...</c>. The runtime version comes from where libcoreclr is mapped.
/// </summary>
public sealed class DotnetProcessFinder(ProcessLocator locator)
{
    private static readonly Regex RuntimePath = new(@"/Microsoft\.NETCore\.App/(?<version>[0-9][0-9A-Za-z.\-+]*)/libcoreclr\.so$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private ProcFs Proc => locator.Proc;

    /// <summary>The process as a .NET process (a diagnostics socket, or the runtime mapped in its memory), or null when it is not one.</summary>
    public DotnetProcess? Find(ProcessInfo process)
    {
        var socket = SocketOf(process);
        var runtime = RuntimeVersionOf(process.Pid);
        return socket is null && runtime is null ? null : new DotnetProcess(process.Pid, process.NamespacePid, process.CommandLine, socket, runtime, EntryAssemblyOf(process));
    }

    /// <summary>The .NET process an action works on: the selected process of the target, with a clear error when it is not .NET.</summary>
    public DotnetProcess Require(ProcessInfo process)
    {
        // A trace, dump or stack capture of the agent by itself stalls the one process that would serve
        // it (a trace of its own process never stopped within its timeout): refused, as agent.selftest covers the agent.
        if (process.Pid == Environment.ProcessId) throw new ActionParameterException($"process {process.Pid} is the Ops agent itself; it does not run .NET diagnostics on itself (agent.selftest checks the agent)");
        return Find(process) ?? throw new ActionParameterException($"process {process.Pid} ({process.Name}) is not a .NET process (no .NET runtime is loaded in it)");
    }

    /// <summary>
    /// The socket of this very process. The runtime names it with a key, its start time as its own /proc
    /// shows it (stat field 22): the socket with that key is the one. A runtime that read another /proc
    /// (a pid namespace without its own /proc mount) used another key; then the newest socket with its pid
    /// made after the process started is taken. Either way, a socket left behind by a killed process
    /// whose pid was reused is never taken for this one.
    /// </summary>
    private string? SocketOf(ProcessInfo process)
    {
        if (Proc.StartTimeOf(process.Pid) is not { } started) return null;
        var directory = ContainerPath.Resolve(Proc.RootOf(process.Pid), TempDirectoryOf(process.Pid));
        try
        {
            var exact = Path.Combine(directory, $"dotnet-diagnostic-{process.NamespacePid}-{started}-socket");
            if (File.Exists(exact)) return exact;
            var startedAt = Proc.BootTime().AddSeconds(started / 100.0).AddSeconds(-1);
            return new DirectoryInfo(directory).EnumerateFiles($"dotnet-diagnostic-{process.NamespacePid}-*-socket")
                .Where(f => f.LastWriteTimeUtc >= startedAt).OrderByDescending(f => f.LastWriteTimeUtc).Select(f => f.FullName).FirstOrDefault();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The process's temporary directory as it sees it (TMPDIR, or /tmp).</summary>
    public string TempDirectoryOf(int pid) =>
        Proc.EnvironmentOf(pid).TryGetValue("TMPDIR", out var tmp) && tmp.StartsWith('/') ? tmp : "/tmp";

    /// <summary>
    /// The runtime's debugging library (libmscordaccore.so) beside the libcoreclr.so the process has loaded, as the node sees it
    /// (through the process's root): the one library that reads this very runtime's dumps. Null when there is none.
    /// </summary>
    public string? DebuggingLibraryOf(int pid)
    {
        foreach (var line in Proc.ReadText(pid, "maps").Split('\n'))
        {
            var path = line.TrimEnd();
            var start = path.IndexOf('/', StringComparison.Ordinal);
            if (start < 0 || !path.EndsWith("/libcoreclr.so", StringComparison.Ordinal)) continue;
            var dac = ContainerPath.Resolve(Proc.RootOf(pid), $"{Path.GetDirectoryName(path[start..])}/libmscordaccore.so");
            return File.Exists(dac) ? dac : null;
        }
        return null;
    }

    private string? RuntimeVersionOf(int pid)
    {
        foreach (var line in Proc.ReadText(pid, "maps").Split('\n'))
        {
            var match = RuntimePath.Match(line.TrimEnd());
            if (match.Success) return match.Groups["version"].Value;
        }
        return null;
    }

    private static string? EntryAssemblyOf(ProcessInfo process)
    {
        var parts = process.CommandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // "dotnet app.dll ..." names the entry assembly; an apphost is the application itself.
        var dll = parts.FirstOrDefault(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
        return dll is not null ? Path.GetFileNameWithoutExtension(dll) : parts.Length > 0 ? Path.GetFileName(parts[0]) : null;
    }
}
