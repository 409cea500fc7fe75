namespace Ops.Sandbox.Nodes;

/// <summary>
/// What the sandbox runs for a container image: a local executable with its entrypoint arguments and
/// default arguments (a container's <c>args</c> replace the defaults, its <c>command</c> replaces both).
/// </summary>
public sealed record SandboxImage(string FileName, IReadOnlyList<string> Entrypoint, IReadOnlyList<string> DefaultArgs)
{
    /// <summary>The image's name without registry, path and tag: ghcr.io/example/ops-agent:1.3.0 is ops-agent.</summary>
    public static string NameOf(string image)
    {
        var name = image.Split('@')[0];
        var slash = name.LastIndexOf('/');
        if (slash >= 0) name = name[(slash + 1)..];
        var colon = name.IndexOf(':');
        return colon >= 0 ? name[..colon] : name;
    }

    /// <summary>The images of the demo and the tests: .NET programs built next to the caller, and sleep.</summary>
    public static IReadOnlyDictionary<string, SandboxImage> FromDirectory(string directory) => new Dictionary<string, SandboxImage>(StringComparer.Ordinal)
    {
        ["ops-agent"] = new("dotnet", [Path.Combine(directory, "Ops.Agent.dll")], []),
        ["ops-operator"] = new("dotnet", [Path.Combine(directory, "Ops.Operator.dll"), "run"], []),
        ["ops-sample-app"] = new("dotnet", [Path.Combine(directory, "Ops.SampleApp.dll")], []),
        ["sleep"] = new("/bin/sleep", [], ["infinity"]),
    };
}
