using System.Diagnostics;
using Ops.Sandbox.Containers;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Containers;

/// <summary>
/// A 2-node sandbox on the containerd runtime, a loopback registry, and two test images built here and pushed to
/// it: busybox as root (<see cref="RootImage"/>) and as uid 1654 (<see cref="AppImage"/>, as Microsoft's .NET images
/// run), each holding /bin/busybox, /etc/ops-image and a /tmp.
/// </summary>
public sealed class ContainerdFixture : IAsyncLifetime
{
    public const string ImageMarker = "built here for the containerd runtime tests";

    private LoopbackRegistry? _registry;

    public string? Missing { get; } = ContainerdTools.Missing();

    public SandboxServer Sandbox { get; private set; } = null!;

    public string Registry => _registry?.Address ?? "";

    public string RootImage => $"{Registry}/ops-test/busybox:root";

    public string AppImage => $"{Registry}/ops-test/busybox:app";

    public async ValueTask InitializeAsync()
    {
        if (Missing is not null) return;
        var ct = TestContext.Current.CancellationToken;
        _registry = await LoopbackRegistry.StartAsync(TestWorkspace.CreateDirectory("registry-"), TestWorkspace.Start, ct);
        var directory = TestWorkspace.CreateDirectory("images-");
        var marker = Path.Combine(directory, "ops-image");
        await File.WriteAllTextAsync(marker, ImageMarker + "\n", ct);
        foreach (var (user, reference) in new[] { ("", RootImage), ("1654", AppImage) })
        {
            var archive = Path.Combine(directory, $"{user.Length}.tar");
            new OciImageArchive { RunAs = user, EntryPoint = ["/bin/busybox"], Command = ["sleep", "3600"] }
                .File("/bin/busybox", ContainerdTools.Busybox).File("/etc/ops-image", marker, (UnixFileMode)0b110_100_100).Directory("/tmp")
                .Write(archive, reference);
            await RunAsync("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", $"oci-archive:{archive}", $"docker://{reference}"], ct);
        }
        Sandbox = await SandboxFixture.StartAsync(new SandboxOptions
        {
            Nodes = 2,
            Containerd = new ContainerdOptions { InsecureRegistries = [Registry] },
        }, applyCrds: false);
    }

    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        using var process = TestWorkspace.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true });
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        return await output;
    }

    public async ValueTask DisposeAsync()
    {
        if (Sandbox is not null) await Sandbox.DisposeAsync();
        if (_registry is not null) await _registry.DisposeAsync();
    }
}
