using System.Diagnostics;
using Ops.Sandbox.Processes;

namespace Ops.TestSupport;

/// <summary>
/// The test host's own <see cref="SandboxWorkspace"/>: the agents and sample apps the tests start die with
/// the host (however it ends), and the directories they use go with it; what a killed host left is
/// removed by the next workspace created on the machine.
/// </summary>
public static class TestWorkspace
{
    // One per test process, as the process is one: created on first use, disposed when the process exits.
    private static readonly Lazy<SandboxWorkspace> Workspace = new(() =>
    {
        var workspace = SandboxWorkspace.Create();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => workspace.Dispose();
        return workspace;
    });

    /// <summary>Starts a process that dies with the test host (its arguments in ArgumentList).</summary>
    public static Process Start(ProcessStartInfo start) => Workspace.Value.Start(start);

    /// <summary>A new directory inside the workspace.</summary>
    public static string CreateDirectory(string prefix) => Directory.CreateDirectory(Path.Combine(Workspace.Value.Directory, $"{prefix}{Guid.NewGuid().ToString("n")[..8]}")).FullName;
}
