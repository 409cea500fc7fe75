using System.Globalization;

namespace Ops.Agent.Processes;

/// <summary>Reads processes from a /proc tree (the node's, or a fixture's in tests).</summary>
public sealed class ProcFs(string root)
{
    public string Root => root;

    public IEnumerable<int> Pids() => Directory.Exists(root)
        ? Directory.EnumerateDirectories(root).Select(Path.GetFileName).Select(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0).Where(p => p > 0)
        : [];

    /// <summary>The parent pid (stat field 4), or -1 when the process is gone.</summary>
    public int ParentOf(int pid) =>
        StatFields(pid) is { Length: > 1 } fields && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : -1;

    /// <summary>When the node booted (btime of /proc/stat), to turn start times in ticks into times; clock ticks are 100 a second on Linux.</summary>
    public DateTime BootTime()
    {
        var line = File.ReadLines(Path.Combine(root, "stat")).FirstOrDefault(l => l.StartsWith("btime ", StringComparison.Ordinal));
        return line is not null && long.TryParse(line[6..], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? DateTime.UnixEpoch.AddSeconds(seconds) : DateTime.UnixEpoch;
    }

    /// <summary>When the process started, in clock ticks since boot (stat field 22), or null when it is gone.</summary>
    public long? StartTimeOf(int pid) =>
        StatFields(pid) is { Length: > 19 } fields && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : null;

    /// <summary>The fields of /proc/PID/stat after "pid (comm)": the name may hold spaces and parentheses, so they start after the last ')'.</summary>
    private string[]? StatFields(int pid)
    {
        var stat = ReadText(pid, "stat");
        var end = stat.LastIndexOf(')');
        return end < 0 ? null : stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The process, or null when it is gone or unreadable (processes come and go while we look).</summary>
    public ProcessInfo? Read(int pid)
    {
        try
        {
            var status = File.ReadAllLines(Path.Combine(root, pid.ToString(CultureInfo.InvariantCulture), "status"))
                .Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
            var commandLine = ReadText(pid, "cmdline").Replace('\0', ' ').Trim();
            var nspid = status.TryGetValue("NSpid", out var ns) ? ns.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries).Last() : pid.ToString(CultureInfo.InvariantCulture);
            var rssKb = status.TryGetValue("VmRSS", out var rss) && long.TryParse(rss.Split(' ')[0], out var kb) ? kb : 0;
            return new ProcessInfo(
                pid,
                int.TryParse(status.GetValueOrDefault("PPid"), out var ppid) ? ppid : 0,
                int.TryParse(nspid, out var inner) ? inner : pid,
                status.GetValueOrDefault("Name") ?? "",
                commandLine,
                status.GetValueOrDefault("State") is { Length: > 0 } state ? state[0] : '?',
                rssKb * 1024);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public string ReadText(int pid, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(root, pid.ToString(CultureInfo.InvariantCulture), file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>The process's environment as it was started (/proc/PID/environ); empty when it cannot be read.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentOf(int pid)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in ReadText(pid, "environ").Split('\0'))
        {
            var equals = variable.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0) variables.TryAdd(variable[..equals], variable[(equals + 1)..]);
        }
        return variables;
    }

    /// <summary>The process's view of the file system (its mount namespace's root).</summary>
    public string RootOf(int pid) => Path.Combine(root, pid.ToString(CultureInfo.InvariantCulture), "root");

    /// <summary>The process's working directory.</summary>
    public string CwdOf(int pid) => Path.Combine(root, pid.ToString(CultureInfo.InvariantCulture), "cwd");
}
