namespace Ops.Sandbox.Nodes;

/// <summary>
/// What the sandbox runs for a container image: a local executable with its entrypoint arguments and
/// default arguments (a container's <c>args</c> replace the defaults, its <c>command</c> replaces both),
/// or a container simulated inside the sandbox (<see cref="InProcess"/>). An image whose behaviour
/// depends on its tag says so with <see cref="Tagged"/>. The sandbox knows only "sleep"; a caller maps
/// its own images (the demo's: OpsImages).
/// </summary>
public sealed record SandboxImage(string FileName, IReadOnlyList<string> Entrypoint, IReadOnlyList<string> DefaultArgs)
{
    /// <summary>Starts the container inside the sandbox instead of as a process; FileName and Entrypoint are then unused.</summary>
    public Func<ContainerLaunch, IContainerProcess>? InProcess { get; init; }

    /// <summary>An image whose containers are simulated inside the sandbox.</summary>
    public static SandboxImage Simulated(Func<ContainerLaunch, IContainerProcess> start) => new("", [], []) { InProcess = start };

    /// <summary>What runs for a given tag; null when the tag does not matter.</summary>
    public Func<string, SandboxImage>? Tagged { get; init; }

    /// <summary>What runs for the full image reference.</summary>
    public SandboxImage For(string image) => Tagged is { } tagged && TagOf(image) is { } tag ? tagged(tag) : this;

    /// <summary>The image's name without registry, path and tag: ghcr.io/example/ops-agent:1.3.0 is ops-agent.</summary>
    public static string NameOf(string image)
    {
        var name = LastSegment(image);
        var colon = name.IndexOf(':');
        return colon >= 0 ? name[..colon] : name;
    }

    /// <summary>The image's tag, or null when it has none: ghcr.io/example/ops-agent:1.3.0 has 1.3.0.</summary>
    public static string? TagOf(string image)
    {
        var name = LastSegment(image);
        var colon = name.IndexOf(':');
        return colon >= 0 && colon < name.Length - 1 ? name[(colon + 1)..] : null;
    }

    private static string LastSegment(string image)
    {
        var name = image.Split('@')[0];
        var slash = name.LastIndexOf('/');
        return slash >= 0 ? name[(slash + 1)..] : name;
    }

    /// <summary>The "sleep" image: /bin/sleep infinity, unless the container's args say otherwise.</summary>
    public static SandboxImage Sleep { get; } = new("/bin/sleep", [], ["infinity"]);
}
