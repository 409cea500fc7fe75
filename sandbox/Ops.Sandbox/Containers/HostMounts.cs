using System.Runtime.InteropServices;
using System.Text;

namespace Ops.Sandbox.Containers;

/// <summary>
/// The mounts of this machine under a directory (from /proc/self/mountinfo), and their removal: what a
/// containerd that was killed can leave behind (its containers' root file systems, its shims' mounts).
/// </summary>
internal static class HostMounts
{
    private const int Detach = 2; // MNT_DETACH: gone from the tree now, released when no longer busy.

    /// <summary>The mount points at or under <paramref name="directory"/>, deepest first.</summary>
    public static IReadOnlyList<string> Under(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        var points = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length < 5) continue;
            var point = Unescape(fields[4]);
            if (point == directory.TrimEnd('/') || point.StartsWith(prefix, StringComparison.Ordinal)) points.Add(point);
        }
        return [.. points.Distinct(StringComparer.Ordinal).OrderByDescending(p => p.Length)];
    }

    /// <summary>Detaches every mount under the directory; returns those that could not be (with the error).</summary>
    public static IReadOnlyList<string> RemoveUnder(string directory)
    {
        var failed = new List<string>();
        // A path may be mounted over more than once: repeat until nothing is left or nothing changes.
        for (var round = 0; round < 5; round++)
        {
            var points = Under(directory);
            if (points.Count == 0) return [];
            failed.Clear();
            foreach (var point in points)
            {
                if (Unmount(point, Detach) != 0) failed.Add($"{point}: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        return Under(directory).Count == 0 ? [] : failed;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\')) return field;
        var text = new StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length)
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }
        return text.ToString();
    }

    [DllImport("libc", EntryPoint = "umount2", SetLastError = true)]
    private static extern int Unmount([MarshalAs(UnmanagedType.LPUTF8Str)] string target, int flags);
}
