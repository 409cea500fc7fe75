using System.Diagnostics;
using System.Text;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>The README's main command as a newcomer runs it: the demo program, from start to Ctrl+C.</summary>
[Collection(nameof(ClusterWideCollection))]
public sealed class DemoProgramTests
{
    [Fact]
    public async Task The_demo_prints_the_finished_command_with_its_results_keeps_running_and_stops_cleanly_on_SIGTERM()
    {
        var kubeconfig = Path.Combine(Directory.CreateTempSubdirectory("ops-demo-test-").FullName, "kubeconfig");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ops.Demo.dll"));
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig);
        using var demo = Process.Start(start)!;
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
            await waiting.Task.WaitAsync(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
            var kubectl = new Kubectl(kubeconfig);
            Assert.Equal("Succeeded", await kubectl.OkAsync("get dcmd checkout-errors -n shop -o jsonpath={.status.phase}"));

            Process.Start("kill", ["-TERM", demo.Id.ToString()])!.WaitForExit();
            await demo.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }
        finally
        {
            if (!demo.HasExited) demo.Kill(entireProcessTree: true);
        }

        var text = output.ToString();
        Assert.Equal(0, demo.ExitCode);
        Assert.Contains("agents ready on 3 nodes", text);
        Assert.Contains("$ kubectl get dcmd checkout-errors -n shop -o yaml", text);
        Assert.Contains("  phase: Succeeded", text);
        Assert.Contains("ERROR payment declined", text);
        Assert.Contains("stopping ...", text);
    }
}
