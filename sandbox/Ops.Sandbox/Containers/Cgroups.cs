namespace Ops.Sandbox.Containers;

/// <summary>The cgroups the sandbox's containers were put under, removed once they are empty (runc removes each container's own, not its parents).</summary>
internal static class Cgroups
{
    private const string Root = "/sys/fs/cgroup";

    /// <summary>The processes in the cgroup <paramref name="path"/> and those under it, in any hierarchy.</summary>
    public static IReadOnlyList<int> Processes(string path)
    {
        var pids = new HashSet<int>();
        if (!Directory.Exists(Root)) return [];
        foreach (var hierarchy in Directory.EnumerateDirectories(Root))
        {
            if (new DirectoryInfo(hierarchy).LinkTarget is not null) continue;
            var top = Path.Combine(hierarchy, path.TrimStart('/'));
            if (!Directory.Exists(top)) continue;
            foreach (var procs in Directory.EnumerateFiles(top, "cgroup.procs", SearchOption.AllDirectories))
            {
                try
                {
                    foreach (var line in File.ReadLines(procs)) if (int.TryParse(line, out var pid)) pids.Add(pid);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Removed while read.
                }
            }
        }
        return [.. pids];
    }

    /// <summary>Removes the cgroup <paramref name="path"/> and (when <paramref name="recursive"/>) those under it, in every hierarchy, deepest first; busy ones stay.</summary>
    public static void Remove(string path, bool recursive = true)
    {
        if (!Directory.Exists(Root)) return;
        foreach (var hierarchy in Directory.EnumerateDirectories(Root))
        {
            if (new DirectoryInfo(hierarchy).LinkTarget is not null) continue;
            var top = Path.Combine(hierarchy, path.TrimStart('/'));
            if (!Directory.Exists(top)) continue;
            // A cgroup's files cannot be deleted, only its (empty) directory: rmdir, never a recursive delete.
            var under = recursive ? Directory.EnumerateDirectories(top, "*", SearchOption.AllDirectories) : [];
            foreach (var directory in under.Append(top).OrderByDescending(d => d.Length))
            {
                try
                {
                    Directory.Delete(directory);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
