using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ops.Sandbox.Hosting;

namespace Ops.TestSupport;

/// <summary>The sample .NET workload (sandbox/Ops.SampleApp) as a real process of its own, a diagnosis target.</summary>
public sealed class SampleAppProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SampleAppProcess(Process process, int port, string directory, int pid)
    {
        _process = process;
        Port = port;
        Directory = directory;
        Pid = pid;
    }

    /// <summary>The .NET process's pid as the node sees it.</summary>
    public int Pid { get; }

    /// <summary>The process the test started: the app itself, or unshare for one in its own namespaces.</summary>
    public int LauncherPid => _process.Id;
    public int Port { get; }
    /// <summary>Its working directory; its log is var/log/app/app.log under it.</summary>
    public string Directory { get; }

    /// <summary>
    /// Its TMPDIR as the node sees it: its diagnostics socket and the dumps the runtime writes land here (for an app
    /// in its own namespaces, a tmpfs seen only through /proc/PID/root).
    /// </summary>
    public string TempDirectory => Path.Combine(Directory, "tmp");

    /// <summary>Where the node reads the app's TMPDIR: through its root, which for an app in its own mount namespace is the only way in.</summary>
    public string TempDirectoryFromNode => $"/proc/{Pid}/root{TempDirectory}";

    public static Task<SampleAppProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null) => LaunchAsync(ownNamespaces: false, tmpSize: null, environment);

    /// <summary>
    /// The app in its own pid and mount namespaces with a temporary directory of its own, as a container runs it: its pid
    /// inside is 1 and its diagnostics socket is visible only through /proc/PID/root. Needs root and
    /// unshare; skipped with the reason where they are missing, failed under CI=true. Its TMPDIR is a tmpfs of tmpSize
    /// that only its mount namespace sees.
    /// </summary>
    public static Task<SampleAppProcess> StartInOwnNamespacesAsync(string tmpSize = "64m")
    {
        var reason = Environment.UserName != "root" ? "starting a process in its own pid and mount namespaces needs root"
            : !File.Exists("/usr/bin/unshare") ? "unshare (util-linux) is not installed" : null;
        if (reason is not null)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true") Xunit.Assert.Fail(reason + "; under CI=true this is a failure, not a skip");
            Xunit.Assert.Skip(reason);
        }
        return LaunchAsync(ownNamespaces: true, tmpSize, null);
    }

    private static async Task<SampleAppProcess> LaunchAsync(bool ownNamespaces, string? tmpSize, IReadOnlyDictionary<string, string>? environment)
    {
        var directory = TestWorkspace.CreateDirectory("sample-app-");
        var port = LoopbackPorts.Free();
        var dll = Path.Combine(AppContext.BaseDirectory, "Ops.SampleApp.dll");
        var start = new ProcessStartInfo(ownNamespaces ? "/usr/bin/unshare" : "dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        // A TMPDIR of its own, never the test host's /tmp: what the runtime puts there (its socket, dumps) is this app's alone.
        var tmp = Path.Combine(directory, "tmp");
        System.IO.Directory.CreateDirectory(tmp);
        start.Environment["TMPDIR"] = tmp;
        if (ownNamespaces)
        {
            // A private tmpfs as its TMPDIR, mounted inside the new mount namespace only (not over /tmp, which may hold the test binaries).
            foreach (var arg in new[] { "--pid", "--mount", "--fork", "--kill-child", "--mount-proc", "/bin/sh", "-c", $"mount -t tmpfs -o size={tmpSize} tmpfs '{tmp}' && exec dotnet '{dll}'" }) start.ArgumentList.Add(arg);
        }
        else
        {
            start.ArgumentList.Add(dll);
        }
        start.Environment["LISTEN"] = "127.0.0.1";
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = TestWorkspace.Start(start);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.True(async () =>
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException) when (!process.HasExited)
            {
                return false;
            }
        }, "the sample app to listen");
        var pid = ownNamespaces ? FindByPort(port) : process.Id;
        return new SampleAppProcess(process, port, directory, pid);
    }

    /// <summary>The node pid of the process whose environment has this PORT (the app, under unshare and sh).</summary>
    private static int FindByPort(int port)
    {
        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var environ = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (environ.Contains($"PORT={port}") && cmdline.StartsWith("dotnet\0", StringComparison.Ordinal)) return pid;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        throw new InvalidOperationException($"no dotnet process with PORT={port}");
    }

    /// <summary>Whether the process has ended (a crash asked for through /chaos/crash, say), and its exit code then.</summary>
    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>A request to the app (its /chaos endpoints take POST): the status code and the body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string pathAndQuery, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}") };
        using var response = await http.SendAsync(new HttpRequestMessage(method, pathAndQuery), cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
