using System.Diagnostics;
using Ops.Agent.Tests.Processes;
using Ops.Agent.V1;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Actions;

/// <summary>Process and file actions over real gRPC, against real processes and a fixture container root.</summary>
public sealed class ProcessActionTests : IAsyncDisposable
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AgentHarness _harness = new();

    private async Task<ExecutionResult> RunAsync(string action, Target target, string procRoot = "/proc", params (string, string)[] parameters) =>
        await _harness.ExecuteAsync(await _harness.StartAgentAsync(procRoot: procRoot), AgentHarness.Request(action, target, Guid.NewGuid().ToString(), parameters: parameters), _ct);

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private static Process Sleep()
    {
        var process = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        return process;
    }

    [Fact]
    public async Task Processes_and_check_process_see_a_real_process_and_its_death()
    {
        using var sleeper = Sleep();
        var target = new Target { Pod = "p", Container = "c", ContainerId = $"sandbox://{sleeper.Id}" };

        var listed = await RunAsync("processes", target);
        var alive = await RunAsync("check.process", target);
        sleeper.Kill();
        await sleeper.WaitForExitAsync(_ct);
        var dead = await RunAsync("check.process", target);

        Assert.Equal(ExecutionPhase.Succeeded, listed.Phase);
        Assert.Contains($"{sleeper.Id}\t", listed.Output.ToStringUtf8());
        Assert.Contains("sleep 60", listed.Output.ToStringUtf8());
        Assert.Equal(sleeper.Id, alive.Pid);
        Assert.Equal(ExecutionPhase.Failed, dead.Phase);
        Assert.Contains("no running process found", dead.Message);
    }

    [Fact]
    public async Task File_tail_and_log_grep_read_inside_the_container_root_only()
    {
        using var proc = new FakeProc();
        var root = proc.Add(300, 1, "app", "0::/kubepods/cri-containerd-0123456789abcdef0123.scope");
        Directory.CreateDirectory(Path.Combine(root, "var/log"));
        await File.WriteAllLinesAsync(Path.Combine(root, "var/log/app.log"), Enumerable.Range(1, 50).Select(i => i % 10 == 0 ? $"ERROR failure {i}" : $"INFO line {i}"), _ct);
        var secret = Path.Combine(proc.Root, "host-secret");
        await File.WriteAllTextAsync(secret, "do not read", _ct);
        File.CreateSymbolicLink(Path.Combine(root, "var/log/escape"), "../../../../host-secret");
        var target = new Target { Pod = "p", Container = "app", ContainerId = "containerd://0123456789abcdef0123" };

        var tail = await RunAsync("file.tail", target, proc.Root, ("path", "/var/log/app.log"), ("lines", "3"));
        var grep = await RunAsync("log.grep", target, proc.Root, ("path", "/var/log/app.log"), ("pattern", "^ERROR"));
        var traversal = await RunAsync("file.tail", target, proc.Root, ("path", "/../../../../host-secret"));
        var escape = await RunAsync("file.tail", target, proc.Root, ("path", "/var/log/escape"));
        var badPattern = await RunAsync("log.grep", target, proc.Root, ("path", "/var/log/app.log"), ("pattern", "(unclosed"));

        Assert.Equal("INFO line 48\nINFO line 49\nERROR failure 50\n", tail.Output.ToStringUtf8());
        Assert.Equal("10:ERROR failure 10\n20:ERROR failure 20\n30:ERROR failure 30\n40:ERROR failure 40\n50:ERROR failure 50\n", grep.Output.ToStringUtf8());
        Assert.Equal(ExecutionPhase.Failed, traversal.Phase);
        Assert.Equal("/../../../../host-secret does not exist in the target", traversal.Message);
        Assert.Equal(ExecutionPhase.Failed, escape.Phase);
        Assert.DoesNotContain("do not read", escape.Output.ToStringUtf8());
        Assert.Contains("is not a valid regular expression", badPattern.Message);
    }

    [Fact]
    public async Task A_sandbox_containers_files_are_under_its_main_process_working_directory()
    {
        using var proc = new FakeProc();
        var root = proc.Add(400, 1, "app", "0::/sandbox");
        var cwd = Path.Combine(Path.GetDirectoryName(root)!, "cwd");
        Directory.CreateDirectory(Path.Combine(cwd, "var/log"));
        await File.WriteAllTextAsync(Path.Combine(cwd, "var/log/app.log"), "ERROR in the pod's own files\n", _ct);
        var target = new Target { Pod = "p", Container = "app", ContainerId = "sandbox://400" };

        var grep = await RunAsync("log.grep", target, proc.Root, ("path", "/var/log/app.log"), ("pattern", "ERROR"));

        Assert.Equal("1:ERROR in the pod's own files\n", grep.Output.ToStringUtf8());
    }
}
