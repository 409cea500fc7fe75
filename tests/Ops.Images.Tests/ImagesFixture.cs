using System.Diagnostics;
using System.Text.Json;
using Ops.Sandbox.Containers;
using Ops.TestSupport;

namespace Ops.Images.Tests;

/// <summary>
/// A loopback registry of this test run (Debian's docker-registry, its storage in the test workspace, dying with
/// the test host) and every Ops image built into it once by images/build.sh --local-base, as a developer here runs it.
/// </summary>
public sealed class ImagesFixture : IAsyncLifetime
{
    public const string Tag = "1.0.0";

    /// <summary>A second agent version, built alone (build.sh --only ops-agent), for rollouts to a good build.</summary>
    public const string NextAgentTag = "1.1.0";

    private LoopbackRegistry? _registry;

    public string? Missing { get; private set; } = ImageTools.Missing();

    public string Registry { get; private set; } = "";

    /// <summary>The references build.sh printed, one per image.</summary>
    public IReadOnlyList<string> Images { get; private set; } = [];

    public TimeSpan BuildTime { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (Missing is not null) return;
        _registry = await LoopbackRegistry.StartAsync(TestWorkspace.CreateDirectory("registry-"), TestWorkspace.Start, TestContext.Current.CancellationToken);
        Registry = _registry.Address;

        var watch = Stopwatch.StartNew();
        var (exit, output, error) = await RunAsync(Path.Combine(RepositoryPaths.Root, "images", "build.sh"), ["--registry", Registry, "--tag", Tag, "--local-base"], TimeSpan.FromMinutes(15));
        BuildTime = watch.Elapsed;
        if (exit != 0) throw new InvalidOperationException($"images/build.sh failed ({exit}):\n{error}");
        Images = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var (nextExit, _, nextError) = await RunAsync(Path.Combine(RepositoryPaths.Root, "images", "build.sh"), ["--registry", Registry, "--tag", NextAgentTag, "--local-base", "--only", "ops-agent"], TimeSpan.FromMinutes(10));
        if (nextExit != 0) throw new InvalidOperationException($"images/build.sh --only ops-agent failed ({nextExit}):\n{nextError}");
    }

    /// <summary>The image's OCI config ("config" object: User, Entrypoint, Env, ...).</summary>
    public async Task<JsonElement> ConfigAsync(string image)
    {
        var (exit, output, error) = await RunAsync("skopeo", ["inspect", "--tls-verify=false", "--config", $"docker://{image}"], TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, error);
        return JsonDocument.Parse(output).RootElement.GetProperty("config").Clone();
    }

    /// <summary>The sum of the image's compressed layers, as a registry stores them.</summary>
    public async Task<long> CompressedBytesAsync(string image)
    {
        var (exit, output, error) = await RunAsync("skopeo", ["inspect", "--tls-verify=false", "--raw", $"docker://{image}"], TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, error);
        return JsonDocument.Parse(output).RootElement.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("size").GetInt64());
    }

    /// <summary>Pulls the image from the registry and unpacks it; returns its root file system.</summary>
    public async Task<string> UnpackAsync(string image)
    {
        var directory = TestWorkspace.CreateDirectory("image-");
        var (copied, _, copyError) = await RunAsync("skopeo", ["copy", "--src-tls-verify=false", $"docker://{image}", $"oci:{directory}/layout:image"], TimeSpan.FromMinutes(2));
        Assert.True(copied == 0, copyError);
        var (unpacked, _, unpackError) = await RunAsync("umoci", ["unpack", "--image", $"{directory}/layout:image", $"{directory}/bundle"], TimeSpan.FromMinutes(2));
        Assert.True(unpacked == 0, unpackError);
        return Path.Combine(directory, "bundle", "rootfs");
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = TestWorkspace.Start(start);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish in {timeout}");
        }
        return (process.ExitCode, await output, await error);
    }

    public async ValueTask DisposeAsync()
    {
        if (_registry is not null) await _registry.DisposeAsync();
    }
}
