namespace Ops.Sandbox.Processes;

/// <summary>What the sandbox reads of processes from /proc: enough to tell a live owner from a reused pid and to find marked processes.</summary>
internal static class ProcFs
{
    /// <summary>The process's start time in clock ticks after boot (field 22 of /proc/PID/stat), or null when it is gone.</summary>
    public static long? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Whether the process exists and has not exited (a zombie, exited but not yet reaped, has).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..] is var fields && fields.Length > 0 && fields[0] is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The pids of this machine's processes whose environment holds <paramref name="variable"/>=<paramref name="value"/> (those this user may read).</summary>
    public static IEnumerable<int> WithEnvironment(string variable, string value)
    {
        var entry = System.Text.Encoding.UTF8.GetBytes($"{variable}={value}\0");
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId) continue;
            byte[] environment;
            try
            {
                environment = File.ReadAllBytes(Path.Combine(directory, "environ"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            // Each entry ends with a NUL; a match must start an entry.
            var at = environment.AsSpan().IndexOf(entry);
            while (at > 0 && environment[at - 1] != 0)
            {
                var next = environment.AsSpan(at + 1).IndexOf(entry);
                at = next < 0 ? -1 : at + 1 + next;
            }
            if (at >= 0) yield return pid;
        }
    }
}
