using System.Diagnostics;
using System.Text;
using Ops.TestSupport;

namespace Ops.Images.Tests;

/// <summary>
/// An image's entrypoint started from its own root file system, as a container runtime would start it: in pid and
/// mount namespaces of its own (its /proc, the host's devices bound in; both go with it), as the image's user, with
/// the given environment, on the host's network (loopback only). Not a container runtime: no cgroups, no seccomp.
/// </summary>
public sealed class ImageRun : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ImageRun(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ImageRun Start(string rootfs, string user, IReadOnlyList<string> entrypoint, IReadOnlyDictionary<string, string> environment)
    {
        var quoted = string.Join(' ', entrypoint.Select(a => $"'{a.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        var start = new ProcessStartInfo("unshare", ["--mount", "--pid", "--fork", "--kill-child", $"--mount-proc={rootfs}/proc", "sh", "-c",
            $"mount --rbind /dev '{rootfs}/dev' && exec chroot --userspec={user}:{user} '{rootfs}' {quoted}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return new ImageRun(TestWorkspace.Start(start));
    }

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync().WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
