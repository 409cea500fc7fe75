namespace Ops.Agent.Processes;

/// <summary>
/// Resolves a path inside a container's root the way the container sees it: ".." stops at the
/// root and symbolic links (absolute or relative) are followed inside the root, never out of it.
/// </summary>
public static class ContainerPath
{
    private const int MaxLinks = 40;

    public static string Resolve(string root, string path)
    {
        if (!path.StartsWith('/')) throw new Actions.ActionParameterException($"path \"{path}\" must be absolute");
        if (path.Contains('\0')) throw new Actions.ActionParameterException("path contains a NUL byte");
        var parts = new Stack<string>();
        var pending = new Queue<string>(Split(path));
        var links = 0;
        while (pending.TryDequeue(out var part))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                if (parts.Count > 0) parts.Pop();
                continue;
            }
            var candidate = Path.Combine(root, Join(parts.Reverse().Append(part)));
            var info = new FileInfo(candidate);
            if (info.LinkTarget is { } target)
            {
                if (++links > MaxLinks) throw new Actions.ActionParameterException($"too many symbolic links resolving \"{path}\"");
                if (target.StartsWith('/')) parts.Clear();
                var rest = pending.ToList();
                pending.Clear();
                foreach (var next in Split(target).Concat(rest)) pending.Enqueue(next);
                continue;
            }
            parts.Push(part);
        }
        return Path.Combine(root, Join(parts.Reverse()));
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private static string Join(IEnumerable<string> parts) => string.Join('/', parts);
}
