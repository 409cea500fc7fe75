using System.Collections.Concurrent;
using System.Diagnostics;

namespace Ops.Sandbox.Processes;

/// <summary>
/// What one sandbox (or one test host) leaves on the machine, kept so that nothing outlives it: a
/// directory of its own under /tmp/ops-sandbox holding an owner file (its pid and start time), and the
/// processes it starts. Each process is started through <c>setpriv --pdeathsig KILL</c> from one
/// long-lived thread (the parent-death signal fires when the thread that forked exits, so not from a
/// pool thread), so it is killed the moment its host dies, however the host dies; and each carries
/// <see cref="MarkerVariable"/> in its environment, inherited by whatever it starts in turn. Creating a
/// workspace first removes what dead owners left: their marked processes are killed, their directories
/// deleted. Disposing it (or the host's exit) kills its marked processes that are still alive and deletes its directory.
/// </summary>
public sealed class SandboxWorkspace : IDisposable
{
    public const string MarkerVariable = "OPS_SANDBOX_WORKSPACE";
    private const string SetPriv = "/usr/bin/setpriv";
    private const string SetSid = "/usr/bin/setsid";

    private readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Started)> _launches = new();
    private readonly Thread _launcher;
    private int _disposed;

    private SandboxWorkspace(string id, string directory)
    {
        Id = id;
        Directory = directory;
        _launcher = new Thread(Launch) { IsBackground = true, Name = $"ops-sandbox {id} launcher" };
        _launcher.Start();
        // A host that exits without disposing it (Environment.Exit, the end of Main) still cleans up.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    /// <summary>Where every workspace of this machine lives.</summary>
    public static string Root => Path.Combine(Path.GetTempPath(), "ops-sandbox");

    public string Id { get; }

    /// <summary>The workspace's own directory (deleted with it).</summary>
    public string Directory { get; }

    /// <summary>Whether processes die with their host at once (setpriv is there); without it they are only removed by the next workspace.</summary>
    public static bool DiesWithHost => File.Exists(SetPriv);

    /// <summary>Removes what dead owners left, then makes a workspace for this process.</summary>
    public static SandboxWorkspace Create()
    {
        RemoveLeftovers();
        var id = $"{Environment.ProcessId}-{Guid.NewGuid().ToString("n")[..8]}";
        var directory = Path.Combine(Root, id);
        System.IO.Directory.CreateDirectory(directory);
        DirectoryOwner.Claim(directory);
        return new SandboxWorkspace(id, directory);
    }

    /// <summary>
    /// Deletes the workspaces whose owner is gone (its pid dead, or reused by a process started at another
    /// time), killing their marked processes first; returns how many processes were killed.
    /// </summary>
    public static int RemoveLeftovers()
    {
        if (!System.IO.Directory.Exists(Root)) return 0;
        var killed = 0;
        foreach (var directory in System.IO.Directory.EnumerateDirectories(Root))
        {
            if (DirectoryOwner.IsAlive(directory)) continue;
            killed += KillMarked(Path.GetFileName(directory));
            DeleteQuietly(directory);
        }
        return killed;
    }

    /// <summary>Whether the process exists and has not exited.</summary>
    public static bool IsAlive(int pid) => ProcFs.IsAlive(pid);

    /// <summary>The live processes carrying the workspace <paramref name="id"/>'s marker (those this user may read).</summary>
    public static IReadOnlyList<int> MarkedProcesses(string id) => [.. ProcFs.WithEnvironment(MarkerVariable, id)];

    private static int KillMarked(string id)
    {
        var killed = 0;
        foreach (var pid in MarkedProcesses(id))
        {
            if (Signals.Send(pid, Signals.Kill)) killed++;
        }
        return killed;
    }

    /// <summary>
    /// Starts a process that dies with this workspace's host; its arguments must be in <see cref="ProcessStartInfo.ArgumentList"/>.
    /// With <paramref name="ownSession"/> it leads a session of its own, so a terminal's Ctrl+C, which signals the
    /// whole foreground process group, does not reach it: for what the host must still use while it stops.
    /// </summary>
    public Process Start(ProcessStartInfo start, bool ownSession = false)
    {
        if (start.Arguments.Length > 0) throw new ArgumentException("pass the arguments in ArgumentList", nameof(start));
        start.Environment[MarkerVariable] = Id;
        if (ownSession && File.Exists(SetSid))
        {
            string[] command = [start.FileName, .. start.ArgumentList];
            start.FileName = SetSid;
            start.ArgumentList.Clear();
            foreach (var arg in command) start.ArgumentList.Add(arg);
        }
        if (DiesWithHost)
        {
            string[] command = [start.FileName, .. start.ArgumentList];
            start.FileName = SetPriv;
            start.ArgumentList.Clear();
            foreach (var arg in (string[])["--pdeathsig", "KILL", "--", .. command]) start.ArgumentList.Add(arg);
        }
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _launches.Add((start, started));
        return started.Task.GetAwaiter().GetResult();
    }

    private void Launch()
    {
        foreach (var (start, started) in _launches.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(start) ?? throw new IOException($"could not start {start.FileName}"));
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }

    /// <summary>Kills the marked processes still alive (whatever outlived the containers), then deletes the directory.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        _launches.CompleteAdding();
        _launcher.Join();
        KillMarked(Id);
        DeleteQuietly(Directory);
        _launches.Dispose();
    }

    private static void DeleteQuietly(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
