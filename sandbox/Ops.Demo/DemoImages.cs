using System.Diagnostics;
using Ops.Sandbox.Containers;
using Ops.Sandbox.Processes;

namespace Ops.Demo;

/// <summary>
/// For the containerd runtime: a loopback registry that keeps its images between runs (under /var/tmp/ops-demo),
/// holding Ops's images as images/build.sh builds them here; built on the first run (or with --rebuild-images),
/// reused after. The registry dies with the demo's process.
/// </summary>
public sealed class DemoImages : IAsyncDisposable
{
    public const string Tag = "1.0.0";
    private static readonly string[] Repositories = ["ops-operator", "ops-agent", $"ops-agent:{Tag}-selftest-fails", $"ops-agent:{Tag}-crashes", "ops-sample-app"];
    private static readonly string[] BuildPrograms = ["docker-registry", "umoci", "skopeo", "apt-get", "dpkg-deb"];

    private readonly SandboxWorkspace _workspace;
    private readonly LoopbackRegistry _registry;

    private DemoImages(SandboxWorkspace workspace, LoopbackRegistry registry)
    {
        _workspace = workspace;
        _registry = registry;
    }

    public string Registry => _registry.Address;

    public static string StorageDirectory => Path.Combine("/var/tmp", "ops-demo", "registry");

    /// <summary>Null when this machine can run the containerd demo; else what is missing, with the line that installs it.</summary>
    public static string? Missing()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        var missing = BuildPrograms.Where(p => !path.Any(dir => File.Exists(Path.Combine(dir, p)))).ToList();
        if (missing.Count > 0) return $"{string.Join(", ", missing)} not found: apt-get install -y docker-registry umoci skopeo";
        return ContainerdOptions.Missing();
    }

    public static async Task<DemoImages> StartAsync(string repository, bool rebuild, Action<string> progress, CancellationToken cancellationToken)
    {
        var workspace = SandboxWorkspace.Create();
        LoopbackRegistry? registry = null;
        try
        {
            registry = await LoopbackRegistry.StartAsync(StorageDirectory, start => workspace.Start(start), cancellationToken);
            var images = new DemoImages(workspace, registry);
            var missing = new List<string>();
            foreach (var name in Repositories)
            {
                var reference = name.Contains(':') ? $"{registry.Address}/{name}" : $"{registry.Address}/{name}:{Tag}";
                if (rebuild || await images.RunAsync("skopeo", ["inspect", "--tls-verify=false", "--raw", $"docker://{reference}"], null, cancellationToken) != 0) missing.Add(reference);
            }
            if (missing.Count == 0)
            {
                progress($"images reused from the registry at {registry.Address} ({StorageDirectory}; --rebuild-images after changing the code)");
                return images;
            }
            progress($"building Ops's images into {registry.Address} with images/build.sh (the first run takes a few minutes) ...");
            var watch = Stopwatch.StartNew();
            var build = Path.Combine(repository, "images", "build.sh");
            if (await images.RunAsync(build, ["--registry", registry.Address, "--tag", Tag, "--local-base"], progress, cancellationToken) != 0)
            {
                throw new InvalidOperationException("images/build.sh failed (its output is above)");
            }
            progress($"images built in {watch.Elapsed.TotalSeconds:0} s");
            return images;
        }
        catch
        {
            if (registry is not null) await registry.DisposeAsync();
            workspace.Dispose();
            throw;
        }
    }

    private async Task<int> RunAsync(string program, IReadOnlyList<string> arguments, Action<string>? output, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = _workspace.Start(start);
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) output?.Invoke($"  {line}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) output?.Invoke($"  {line}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await _registry.DisposeAsync();
        _workspace.Dispose();
    }
}
