using System.Diagnostics;
using System.Runtime.InteropServices;
using Ops.Sandbox.Processes;

namespace Ops.TestSupport;

/// <summary>
/// The test host's own <see cref="SandboxWorkspace"/>: the agents, apps and clusters the tests start die with
/// the host (however it ends), and the directories they use go with it; what a killed host left is removed by
/// the next workspace created on the machine. A host whose parent goes away (dotnet test interrupted or killed,
/// which leaves its test host running the tests to the end) stops at once instead of running on orphaned.
/// </summary>
public static class TestWorkspace
{
    // One per test process, as the process is one: created on first use, disposed when the process exits.
    private static readonly Lazy<SandboxWorkspace> Workspace = new(() =>
    {
        var workspace = SandboxWorkspace.Create();
        WatchParent();
        StopSoonOnSigterm();
        return workspace;
    });

    // Kept alive for the process's life: a registration that is collected stops handling the signal.
    private static PosixSignalRegistration? _sigterm;

    /// <summary>Makes sure the host's workspace exists, so that the host stops when orphaned (the clusters' fixtures call it first).</summary>
    public static void Ensure() => _ = Workspace.Value;

    /// <summary>Starts a process that dies with the test host (its arguments in ArgumentList).</summary>
    public static Process Start(ProcessStartInfo start) => Workspace.Value.Start(start);

    /// <summary>A new directory inside the workspace.</summary>
    public static string CreateDirectory(string prefix) => Directory.CreateDirectory(Path.Combine(Workspace.Value.Directory, $"{prefix}{Guid.NewGuid().ToString("n")[..8]}")).FullName;

    private static void WatchParent()
    {
        var parent = ParentPid();
        new Thread(() =>
        {
            while (ParentPid() == parent) Thread.Sleep(500);
            // Exiting disposes every workspace of the process (the clusters' too): their processes are killed, their directories go.
            Console.Error.WriteLine($"the test host's parent ({parent}) is gone: stopping, with every process the tests started");
            Environment.Exit(130);
        }) { IsBackground = true, Name = "orphan watch" }.Start();
    }

    /// <summary>
    /// The test runner answers SIGTERM by cancelling the tests and waiting for them, and a test that does not watch its
    /// token runs on (a 60-minute soak did): the runner gets 10 s to stop cleanly, then the host exits, with what it started.
    /// </summary>
    private static void StopSoonOnSigterm() => _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ =>
    {
        new Thread(() =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(10));
            Console.Error.WriteLine("the test host was asked to stop (SIGTERM) 10 s ago: stopping, with every process the tests started");
            Environment.Exit(143);
        }) { IsBackground = true, Name = "sigterm stop" }.Start();
    });

    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int ParentPid();
}
