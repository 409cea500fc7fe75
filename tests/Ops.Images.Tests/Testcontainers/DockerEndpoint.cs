using System.Diagnostics;
using Ops.TestSupport;

namespace Ops.Images.Tests.Testcontainers;

/// <summary>
/// The Docker API Testcontainers talks to: DOCKER_HOST or /var/run/docker.sock where there is one; else, as root with
/// Debian's podman (no Docker engine can run here), a podman API service of this test run's own: storage in the test
/// workspace, the images fixture's registry marked insecure, the container ulimits this machine allows (podman's
/// defaults raise RLIMIT_NOFILE and RLIMIT_NPROC above its hard limits and every start fails). Testcontainers' resource
/// reaper is off: its image cannot be pulled here, and the fixture removes what it started. <see cref="Missing"/> says
/// why there is none; the tests skip then, even under CI=true (no Docker engine is promised).
/// </summary>
public sealed class DockerEndpoint : IAsyncDisposable
{
    private readonly Process? _service;

    private readonly string? _directory;

    private DockerEndpoint(Uri? endpoint, string kind, string? missing, Process? service, string? directory = null)
    {
        _directory = directory;
        Endpoint = endpoint;
        Kind = kind;
        Missing = missing;
        _service = service;
    }

    public Uri? Endpoint { get; }

    /// <summary>"docker" or "podman".</summary>
    public string Kind { get; }

    public string? Missing { get; }

    public static async Task<DockerEndpoint> StartAsync(string registry, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host) return new(new Uri(host), "docker", null, null);
        if (File.Exists("/var/run/docker.sock")) return new(new Uri("unix:///var/run/docker.sock"), "docker", null, null);
        var podman = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "podman")).FirstOrDefault(File.Exists);
        if (podman is null) return new(null, "", "no Docker API here: DOCKER_HOST is unset, /var/run/docker.sock is missing and podman is not installed (apt-get install -y podman)", null);
        if (!Environment.IsPrivilegedProcess) return new(null, "", "no Docker API here, and podman's service needs root in these tests", null);

        // Short: podman refuses a run root path over 50 characters.
        var directory = TestWorkspace.CreateDirectory("p");
        var socket = Path.Combine(directory, "podman.sock");
        await File.WriteAllTextAsync(Path.Combine(directory, "containers.conf"), "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=4096:4096\"]\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "registries.conf"), $"unqualified-search-registries = []\n[[registry]]\nlocation = \"{registry}\"\ninsecure = true\n", cancellationToken);
        var start = new ProcessStartInfo(podman) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--root", Path.Combine(directory, "root"), "--runroot", Path.Combine(directory, "run"), "system", "service", "--time=0", $"unix://{socket}"]) start.ArgumentList.Add(arg);
        start.Environment["CONTAINERS_CONF"] = Path.Combine(directory, "containers.conf");
        start.Environment["CONTAINERS_REGISTRIES_CONF"] = Path.Combine(directory, "registries.conf");
        var service = TestWorkspace.Start(start);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        service.OutputDataReceived += (_, _) => { };
        service.ErrorDataReceived += (_, e) => { if (e.Data is { } line) errors.Enqueue(line); };
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();
        await Eventually.True(() => Task.FromResult(File.Exists(socket) || service.HasExited), "podman's API socket");
        if (service.HasExited)
        {
            service.WaitForExit();
            return new(null, "", $"podman system service exited with {service.ExitCode}: {string.Join(" / ", errors.TakeLast(3))}", null);
        }
        return new(new Uri($"unix://{socket}"), "podman", null, service, directory);
    }

    public async ValueTask DisposeAsync()
    {
        if (_service is { HasExited: false } service)
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }
        _service?.Dispose();
        if (_directory is null) return;
        // podman's overlay storage bind-mounts its own directory; it must go before the workspace deletes the files.
        var mounts = File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(p => p.StartsWith(_directory + "/", StringComparison.Ordinal)).OrderByDescending(p => p.Length);
        foreach (var mount in mounts)
        {
            using var umount = Process.Start(new ProcessStartInfo("umount", ["--lazy", mount]) { RedirectStandardError = true })!;
            await umount.WaitForExitAsync();
        }
    }
}
