using Ops.Sandbox.Nodes;

namespace Ops.Demo;

/// <summary>
/// Ops's images as the sandbox runs them: .NET programs built next to the caller, mapped through the
/// sandbox's image extension point. The agent reports its image's tag as its version, as a real image's
/// build would; a tag ending in <see cref="SelfTestFailsSuffix"/> starts an agent whose self-test fails
/// (its diagnostic ports directory cannot be created), one ending in <see cref="CrashesSuffix"/> exits at
/// once, so the rollout's failure paths run against real processes.
/// </summary>
public static class OpsImages
{
    public const string SelfTestFailsSuffix = "-selftest-fails";
    public const string CrashesSuffix = "-crashes";

    public static IReadOnlyDictionary<string, SandboxImage> FromDirectory(string directory)
    {
        var agent = Path.Combine(directory, "Ops.Agent.dll");
        return new Dictionary<string, SandboxImage>(StringComparer.Ordinal)
        {
            ["ops-agent"] = new("dotnet", [agent], []) { Tagged = tag => AgentOf(agent, tag) },
            ["ops-operator"] = new("dotnet", [Path.Combine(directory, "Ops.Operator.dll"), "run"], []),
            ["ops-sample-app"] = new("dotnet", [Path.Combine(directory, "Ops.SampleApp.dll")], []),
            ["sleep"] = SandboxImage.Sleep,
        };
    }

    private static SandboxImage AgentOf(string agent, string tag)
    {
        if (tag.EndsWith(CrashesSuffix, StringComparison.Ordinal))
        {
            return new("/bin/sh", ["-c", $"echo 'ops-agent {tag}: this sandbox image exits at once' >&2; exit 70"], []);
        }
        List<string> entrypoint = [agent, $"--Agent:Version={tag}"];
        // /dev/null is a file, so no directory can be made under it: the self-test's check fails, nothing else does.
        if (tag.EndsWith(SelfTestFailsSuffix, StringComparison.Ordinal)) entrypoint.Add("--Agent:DiagnosticPortsDirectory=/dev/null/diagnostic-ports");
        return new("dotnet", entrypoint, []);
    }
}
