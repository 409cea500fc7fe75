namespace Ops.Sandbox.Containers;

/// <summary>
/// How the sandbox runs its nodes' pods under containerd (root needed): a containerd of its own, with its
/// config, root and state under a temporary folder, driven over the CRI as a kubelet drives it.
/// </summary>
public sealed record ContainerdOptions
{
    /// <summary>Registries served over plain HTTP (host:port on the loopback), which containerd pulls from without TLS.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>How long containerd may take to answer after it starts.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The programs the runtime needs, with the Debian packages that hold them.</summary>
    public static IReadOnlyList<(string Program, string Package)> Requirements { get; } =
        [("containerd", "containerd"), ("containerd-shim-runc-v2", "containerd"), ("ctr", "containerd"), ("runc", "runc"), ("catatonit", "catatonit")];

    /// <summary>Null when this machine can run the containerd runtime; else what is missing, with the line that installs it.</summary>
    public static string? Missing()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        var missing = Requirements.Where(r => !path.Any(dir => File.Exists(Path.Combine(dir, r.Program)))).ToList();
        if (missing.Count > 0)
        {
            return $"{string.Join(", ", missing.Select(m => m.Program))} not found: apt-get install -y {string.Join(' ', missing.Select(m => m.Package).Distinct())}";
        }
        return Environment.IsPrivilegedProcess ? null : "the containerd runtime needs root (containerd mounts file systems and creates cgroups)";
    }
}
