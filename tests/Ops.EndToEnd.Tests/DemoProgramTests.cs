using System.Diagnostics;
using System.Text;
using Ops.Sandbox.Processes;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>The README's main command as a newcomer runs it: the demo program, from start to Ctrl+C, or to a kill.</summary>
[Collection(nameof(ClusterWideCollection))]
public sealed class DemoProgramTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private sealed record RunningDemo(Process Process, StringBuilder Output, string Kubeconfig)
    {
        /// <summary>The demo's sandbox workspace: its directory, and the operator, agent and app processes it started.</summary>
        public string Workspace => Directory.GetDirectories(SandboxWorkspace.Root, $"{Process.Id}-*").Single();
    }

    private async Task<RunningDemo> StartAsync()
    {
        var kubeconfig = Path.Combine(TestWorkspace.CreateDirectory("demo-test-"), "kubeconfig");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ops.Demo.dll"));
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig);
        var demo = Process.Start(start)!;
        var output = new StringBuilder();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        demo.OutputDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
            if (e.Data == "Press Ctrl+C to stop.") waiting.TrySetResult();
        };
        demo.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        demo.BeginOutputReadLine();
        demo.BeginErrorReadLine();
        try
        {
            await waiting.Task.WaitAsync(Timeouts.ClusterStart, _ct);
        }
        catch
        {
            demo.Kill(entireProcessTree: true);
            throw;
        }
        return new RunningDemo(demo, output, kubeconfig);
    }

    private static bool Alive(int pid) => SandboxWorkspace.IsAlive(pid);

    [Fact]
    public async Task The_demo_prints_the_finished_command_with_its_results_keeps_running_and_stops_cleanly_on_SIGTERM()
    {
        var demo = await StartAsync();
        using var process = demo.Process;
        string workspace;
        IReadOnlyList<int> started;
        try
        {
            var kubectl = new Kubectl(demo.Kubeconfig);
            Assert.Equal("Succeeded", await kubectl.OkAsync("get dcmd checkout-errors -n shop -o jsonpath={.status.phase}"));
            workspace = demo.Workspace;
            started = SandboxWorkspace.MarkedProcesses(Path.GetFileName(workspace));

            Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
            await process.WaitForExitAsync(_ct).WaitAsync(Timeouts.ProcessTurnover, _ct);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }

        var text = demo.Output.ToString();
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("agents ready on 3 nodes", text);
        Assert.Contains("$ kubectl get dcmd checkout-errors -n shop -o yaml", text);
        Assert.Contains("  phase: Succeeded", text);
        Assert.Contains("ERROR payment declined", text);
        Assert.Contains("stopping ...", text);
        // Stopped cleanly: the operator, the 3 agents and the 3 apps are gone, and so is the sandbox's directory.
        Assert.True(started.Count >= 7, $"{started.Count} processes started by the demo");
        Assert.DoesNotContain(started, Alive);
        Assert.False(Directory.Exists(workspace), "the demo left its directory");
    }

    [Fact]
    public async Task Killing_the_demo_with_SIGKILL_leaves_no_operator_agent_or_app_running_and_the_next_sandbox_removes_its_directory()
    {
        var demo = await StartAsync();
        using var process = demo.Process;
        var workspace = demo.Workspace;
        var started = SandboxWorkspace.MarkedProcesses(Path.GetFileName(workspace));
        Assert.True(started.Count >= 7, $"{started.Count} processes started by the demo");

        process.Kill(); // the demo alone, as `kill -9` or the OOM killer would: nothing of it runs its shutdown.
        await process.WaitForExitAsync(_ct);

        await Eventually.True(() => Task.FromResult(!started.Any(Alive)), "every process the demo started to die with it", Timeouts.ProcessTurnover);
        SandboxWorkspace.RemoveLeftovers();
        Assert.False(Directory.Exists(workspace), "the next sandbox left the killed demo's directory");
    }
}
