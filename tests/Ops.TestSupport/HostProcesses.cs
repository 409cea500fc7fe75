namespace Ops.TestSupport;

/// <summary>What the tests read of a container from the host's /proc: its main process, and its namespaces.</summary>
public static class HostProcesses
{
    /// <summary>The lowest host pid whose cgroup names the container (its main process; runc's init is gone once it runs).</summary>
    public static int OfContainer(string containerId)
    {
        var id = containerId[(containerId.IndexOf("://", StringComparison.Ordinal) + 3)..];
        foreach (var directory in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).OfType<string>().Where(d => d.All(char.IsAsciiDigit)).Select(int.Parse).Order())
        {
            try
            {
                if (File.ReadAllText($"/proc/{directory}/cgroup").Contains(id, StringComparison.Ordinal)) return directory;
            }
            catch (IOException)
            {
            }
        }
        throw new InvalidOperationException($"no process of this machine is in a cgroup of {containerId}");
    }

    /// <summary>The namespace (pid, mnt, net ...) the process is in, as its /proc link names it: pid:[4026531836].</summary>
    public static string Namespace(int pid, string kind) => new FileInfo($"/proc/{pid}/ns/{kind}").LinkTarget ?? "";

    /// <summary>The real uid the process runs as (from /proc/PID/status).</summary>
    public static int Uid(int pid) => int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether the process's root file system is mounted read-only (its own mountinfo's "/").</summary>
    public static bool RootIsReadOnly(int pid) => File.ReadLines($"/proc/{pid}/mountinfo").Select(l => l.Split(' ')).Where(f => f.Length > 5 && f[4] == "/").Select(f => f[5].Split(',')).Last().Contains("ro");

    /// <summary>Whether the process exists and has not exited (a zombie waiting for its reaper has).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..] is not ['Z' or 'X', ..];
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Live processes whose command line mentions <paramref name="text"/>.</summary>
    public static IReadOnlyList<int> WithCommandLine(string text) =>
        [.. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).OfType<string>().Where(d => d.All(char.IsAsciiDigit)).Select(int.Parse).Where(pid =>
        {
            try
            {
                return IsAlive(pid) && File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Contains(text, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
        })];
}
