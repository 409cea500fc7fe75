using System.Diagnostics;
using Ops.Agent.V1;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Actions;

/// <summary>
/// file.tail and log.grep read regular files only: a FIFO would block the agent's read forever (an open(2) for reading
/// waits for a writer, and no cancellation reaches it), and a device such as /dev/zero is an endless line that would
/// fill the agent's memory. Both are what a container can hold or a path can name.
/// </summary>
public sealed class SpecialFilesTests : IAsyncDisposable
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AgentHarness _harness = new();

    [Fact]
    public async Task A_fifo_or_a_device_is_refused_at_once_and_the_agent_serves_on()
    {
        var agent = await _harness.StartAgentAsync();
        var fifo = Path.Combine(TestWorkspace.CreateDirectory("special-files-"), "app.log");
        Assert.Equal(0, Mkfifo(fifo, 0b110_000_000));
        var started = Stopwatch.StartNew();

        var tail = await _harness.ExecuteAsync(agent, AgentHarness.Request("file.tail", key: "fifo", timeout: 20, parameters: ("path", fifo)), _ct);
        var grep = await _harness.ExecuteAsync(agent, AgentHarness.Request("log.grep", key: "zero", timeout: 20, parameters: [("path", "/dev/zero"), ("pattern", "x")]), _ct);
        var after = await _harness.ExecuteAsync(agent, AgentHarness.Request("node.info", key: "after"), _ct);

        Assert.Equal((ExecutionPhase.Failed, $"{fifo} is not a regular file (a FIFO, socket or device): only files are read"), (tail.Phase, tail.Message));
        Assert.Equal((ExecutionPhase.Failed, "/dev/zero is not a regular file (a FIFO, socket or device): only files are read"), (grep.Phase, grep.Message));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(15), $"took {started.Elapsed}");
        Assert.Equal(ExecutionPhase.Succeeded, after.Phase);
    }

    public async ValueTask DisposeAsync() => await _harness.DisposeAsync();

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int Mkfifo([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, uint mode);
}
