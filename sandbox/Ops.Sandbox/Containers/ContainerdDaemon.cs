using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ops.Sandbox.Containers.Cri;
using Ops.Sandbox.Processes;

namespace Ops.Sandbox.Containers;

/// <summary>
/// The sandbox's own containerd: config, root, state and socket in a directory of its own under
/// /tmp/ops-containerd (named after the sandbox's workspace, with an owner file), started through the workspace
/// so it dies with the sandbox's process, with the pause image imported before the first pod. Stopping it
/// removes every pod sandbox (their containers and shims go with them), stops containerd, detaches what is still
/// mounted under its directory, removes its cgroups and deletes the directory. A sandbox killed before it could
/// stop leaves all that behind: the next start finds the directory by its dead owner and does the same for it,
/// through a containerd started on the old state (containerd cleans up after shims that died).
/// </summary>
public sealed partial class ContainerdDaemon : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ILogger _logger;
    private int _disposed;

    private readonly SandboxWorkspace _workspace;

    private ContainerdDaemon(string id, string directory, Process process, CriClient cri, string version, SandboxWorkspace workspace, ILogger logger)
    {
        _workspace = workspace;
        Id = id;
        Directory = directory;
        _process = process;
        Cri = cri;
        Version = version;
        _logger = logger;
    }

    /// <summary>Where every sandbox's containerd lives on this machine.</summary>
    public static string Root => Path.Combine(Path.GetTempPath(), "ops-containerd");

    public string Id { get; }

    public string Directory { get; }

    /// <summary>containerd's version, as a Node reports it: containerd://1.6.20.</summary>
    public string Version { get; }

    /// <summary>The cgroup under which this containerd's pods go (removed with it).</summary>
    public string CgroupParent => $"/ops-sandbox/{Id}";

    internal CriClient Cri { get; }

    public static async Task<ContainerdDaemon> StartAsync(ContainerdOptions options, SandboxWorkspace workspace, ILogger logger, CancellationToken cancellationToken)
    {
        if (ContainerdOptions.Missing() is { } missing) throw new InvalidOperationException(missing);
        await RemoveLeftoversAsync(workspace, logger, cancellationToken);
        var directory = Path.Combine(Root, workspace.Id);
        System.IO.Directory.CreateDirectory(directory);
        DirectoryOwner.Claim(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, ContainerdConfig.FileName), ContainerdConfig.Render(directory, PauseImage.Reference, options.InsecureRegistries), cancellationToken);
        var (process, cri, version) = await LaunchAsync(directory, workspace, options.StartTimeout, cancellationToken);
        var daemon = new ContainerdDaemon(workspace.Id, directory, process, cri, version, workspace, logger);
        try
        {
            await PauseImage.ImportAsync(directory, cancellationToken);
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
        Log.Started(logger, daemon.Version, directory);
        return daemon;
    }

    private static async Task<(Process Process, CriClient Cri, string Version)> LaunchAsync(string directory, SandboxWorkspace workspace, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var logPath = Path.Combine(directory, "containerd.log");
        var start = new ProcessStartInfo("containerd") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--config", Path.Combine(directory, ContainerdConfig.FileName)]) start.ArgumentList.Add(arg);
        var process = workspace.Start(start, ownSession: true);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var gate = new Lock();
        process.OutputDataReceived += (_, e) => { lock (gate) if (e.Data is not null) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (gate) if (e.Data is not null) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var cri = new CriClient(Path.Combine(directory, ContainerdConfig.SocketName));
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                cri.Dispose();
                throw new InvalidOperationException($"containerd exited with {process.ExitCode} at start; its log: {logPath}\n{Tail(logPath)}");
            }
            try
            {
                var answer = await cri.Runtime.VersionAsync(new VersionRequest { Version = "v1" }, deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken);
                return (process, cri, $"{answer.RuntimeName}://{answer.RuntimeVersion.Split('~')[0]}");
            }
            catch (RpcException) when (deadline.Elapsed < timeout)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (RpcException e)
            {
                process.Kill();
                cri.Dispose();
                throw new InvalidOperationException($"containerd did not answer in {timeout.TotalSeconds:0} s ({e.Status.Detail}); its log: {logPath}\n{Tail(logPath)}", e);
            }
        }
    }

    private static string Tail(string path)
    {
        try
        {
            return string.Join('\n', File.ReadLines(path).TakeLast(10));
        }
        catch (IOException)
        {
            return "";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await StopAsync(Id, Directory, _process, Cri, _workspace, _logger);
        Log.Stopped(_logger, Directory);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "containerd {Version} serving, its directory {Directory}")]
        public static partial void Started(ILogger logger, string version, string directory);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "containerd stopped and {Directory} removed")]
        public static partial void Stopped(ILogger logger, string directory);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Removing what a containerd of a sandbox that died left in {Directory}")]
        public static partial void RemovingLeftovers(ILogger logger, string directory);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "What a dead sandbox's containerd left in {Directory} could not be removed: {Reason}")]
        public static partial void LeftoversRemain(ILogger logger, string directory, string reason);

        [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Pod sandboxes of the containerd in {Directory} could not all be removed: {Reason}")]
        public static partial void SandboxesRemain(ILogger logger, string directory, string reason);

        [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Killing {Count} processes of containers that outlived the containerd in {Directory}")]
        public static partial void KillingSurvivors(ILogger logger, int count, string directory);

        [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "{Directory} is kept: mounts under it could not be removed ({Mounts})")]
        public static partial void MountsRemain(ILogger logger, string directory, string mounts);
    }
}
