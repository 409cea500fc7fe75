using System.Diagnostics;
using System.Text.Json;
using Ops.Agent.V1;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Dotnet;

/// <summary>The .NET actions through a real agent over mTLS, against a real .NET process found only through /proc.</summary>
public sealed class DotnetActionTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AgentHarness _harness = new();
    private TestAgent _agent = null!;
    private SampleAppProcess _app = null!;

    public async ValueTask InitializeAsync()
    {
        _agent = await _harness.StartAgentAsync();
        _app = await SampleAppProcess.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _harness.DisposeAsync();
    }

    private Task<ExecutionResult> RunAsync(string action, int pid, string key, params (string, string)[] parameters) =>
        _harness.ExecuteAsync(_agent, AgentHarness.Request(action, new Target { Pod = "checkout", Container = "api", ContainerId = $"sandbox://{pid}" }, key: key, parameters: parameters), _ct);

    [Fact]
    public async Task Dotnet_processes_reports_the_runtime_version_and_entry_assembly()
    {
        var result = await RunAsync("dotnet.processes", _app.Pid, "processes");

        Assert.Equal(ExecutionPhase.Succeeded, result.Phase);
        var row = result.Output.ToStringUtf8().Split('\n')[1].Split('\t');
        Assert.Equal(_app.Pid.ToString(), row[0]);
        Assert.StartsWith($"{Environment.Version.Major}.", row[2]);
        Assert.Equal("Ops.SampleApp", row[3]);
    }

    [Fact]
    public async Task Dotnet_stacks_shows_the_known_method_of_the_worker_thread_as_text_and_json()
    {
        var result = await RunAsync("dotnet.stacks", _app.Pid, "stacks");

        Assert.Equal(ExecutionPhase.Succeeded, result.Phase);
        var output = result.Output.ToStringUtf8();
        Assert.Contains("Ops.SampleApp.OrderWorker.ProcessOrdersForever", output);
        using var json = JsonDocument.Parse(output[output.IndexOf("{\"pid\"", StringComparison.Ordinal)..]);
        Assert.Equal(_app.Pid, json.RootElement.GetProperty("pid").GetInt32());
        Assert.Contains(json.RootElement.GetProperty("threads").EnumerateArray(),
            t => t.GetProperty("frames").EnumerateArray().Any(f => f.GetString()!.Contains("ProcessOrdersForever", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Dotnet_stacks_format_gives_text_alone_json_alone_or_a_reason()
    {
        var text = await RunAsync("dotnet.stacks", _app.Pid, "stacks-text", ("format", "text"));
        var json = await RunAsync("dotnet.stacks", _app.Pid, "stacks-json", ("format", "json"));
        var bad = await RunAsync("dotnet.stacks", _app.Pid, "stacks-yaml", ("format", "yaml"));

        Assert.True(text.Phase == ExecutionPhase.Succeeded, text.Message);
        Assert.StartsWith("Thread ", text.Output.ToStringUtf8());
        Assert.DoesNotContain("{\"pid\"", text.Output.ToStringUtf8());
        Assert.True(json.Phase == ExecutionPhase.Succeeded, json.Message);
        using var document = JsonDocument.Parse(json.Output.ToStringUtf8());
        Assert.Equal(_app.Pid, document.RootElement.GetProperty("pid").GetInt32());
        Assert.Equal("parameter \"format\" must be text, json or both, not \"yaml\"", bad.Message);
    }

    [Fact]
    public async Task Dotnet_counters_reports_non_zero_runtime_counters_over_the_duration()
    {
        var result = await RunAsync("dotnet.counters", _app.Pid, "counters", ("duration", "2s"));

        Assert.True(result.Phase == ExecutionPhase.Succeeded, result.Message);
        var output = result.Output.ToStringUtf8();
        using var json = JsonDocument.Parse(output[output.IndexOf("{\"pid\"", StringComparison.Ordinal)..]);
        var counters = json.RootElement.GetProperty("counters");
        Assert.True(counters.GetProperty("working-set").GetDouble() > 0);
        Assert.True(counters.GetProperty("gc-heap-size").GetDouble() > 0);
        Assert.True(counters.GetProperty("threadpool-thread-count").GetDouble() > 0);
        Assert.True(counters.TryGetProperty("cpu-usage", out _));
        Assert.Contains("gen-0-gc-count", output);
    }

    [Fact]
    public async Task A_process_in_its_own_pid_and_mount_namespace_is_reached_through_its_root_with_its_inner_pid()
    {
        await using var contained = await SampleAppProcess.StartInOwnNamespacesAsync();
        var target = new Target { Pod = "contained", Container = "api", ContainerId = $"sandbox://{contained.LauncherPid}", Process = new ProcessSelector { Name = "^dotnet$" } };
        // The node sees an empty directory where the process sees its socket.
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(contained.Directory, "tmp")));

        var processes = await _harness.ExecuteAsync(_agent, AgentHarness.Request("dotnet.processes", target, key: "ns-processes"), _ct);
        var stacks = await _harness.ExecuteAsync(_agent, AgentHarness.Request("dotnet.stacks", target, key: "ns-stacks"), _ct);

        Assert.True(processes.Phase == ExecutionPhase.Succeeded, processes.Message);
        Assert.Equal([contained.Pid.ToString(), "1"], processes.Output.ToStringUtf8().Split('\n')[1].Split('\t')[..2]);
        Assert.True(stacks.Phase == ExecutionPhase.Succeeded, stacks.Message);
        Assert.Contains("Ops.SampleApp.OrderWorker.ProcessOrdersForever", stacks.Output.ToStringUtf8());
        Assert.Equal(contained.Pid, stacks.Pid);
    }

    [Fact]
    public async Task A_dotnet_process_with_diagnostics_disabled_is_a_clear_per_target_error()
    {
        await using var closed = await SampleAppProcess.StartAsync(new Dictionary<string, string> { ["DOTNET_EnableDiagnostics"] = "0" });

        var result = await RunAsync("dotnet.stacks", closed.Pid, "closed");

        Assert.Equal(ExecutionPhase.Failed, result.Phase);
        Assert.Equal($"process {closed.Pid} runs .NET but has no diagnostics socket the agent can see: it runs with DOTNET_EnableDiagnostics=0, or its TMPDIR is not visible; "
            + "listen mode (Agent:DiagnosticPortsDirectory and DOTNET_DiagnosticPorts in the pod) reaches such processes", result.Message);
    }

    [Fact]
    public async Task In_listen_mode_a_process_whose_own_socket_is_gone_is_reached_through_the_agents_socket_for_its_pod()
    {
        var ports = TestWorkspace.CreateDirectory("ports-");
        var podUid = Guid.NewGuid().ToString();
        var agent = await _harness.StartAgentAsync(settings: new Dictionary<string, string?> { ["Agent:DiagnosticPortsDirectory"] = ports });
        await using var app = await SampleAppProcess.StartAsync(new Dictionary<string, string> { ["DOTNET_DiagnosticPorts"] = $"{ports}/{podUid}.sock,nosuspend" });
        var target = new Target { Pod = "checkout", PodUid = podUid, Container = "api", ContainerId = $"sandbox://{app.Pid}" };
        // The process's own socket is made unreachable, as when its TMPDIR is private or read-only: it had one, and it is gone.
        var own = Directory.GetFiles(app.TempDirectory, $"dotnet-diagnostic-{app.Pid}-*-socket");
        Assert.Single(own);
        File.Delete(own[0]);
        // The control: without listen mode, nothing reaches it now. So a success below came through the agent's socket.
        var connectOnly = await RunAsync("dotnet.stacks", app.Pid, "connect-only");
        Assert.StartsWith($"process {app.Pid} runs .NET but has no diagnostics socket the agent can see", connectOnly.Message);

        var stacks = await _harness.ExecuteAsync(agent, AgentHarness.Request("dotnet.stacks", target, key: "listen-stacks"), _ct);
        var counters = await _harness.ExecuteAsync(agent, AgentHarness.Request("dotnet.counters", target, key: "listen-counters", parameters: ("duration", "1s")), _ct);

        Assert.True(stacks.Phase == ExecutionPhase.Succeeded, stacks.Message);
        Assert.Contains("Ops.SampleApp.OrderWorker.ProcessOrdersForever", stacks.Output.ToStringUtf8());
        Assert.True(counters.Phase == ExecutionPhase.Succeeded, counters.Message);
        Assert.Empty(Directory.GetFiles(app.TempDirectory, $"dotnet-diagnostic-{app.Pid}-*-socket"));
    }

    [Fact]
    public async Task A_socket_left_behind_by_an_earlier_process_with_the_same_pid_is_not_taken_for_this_ones()
    {
        await using var closed = await SampleAppProcess.StartAsync(new Dictionary<string, string> { ["DOTNET_EnableDiagnostics"] = "0" });
        // What a SIGKILLed process leaves in /tmp: its socket file, named with its pid and its (different) start time.
        var stale = Path.Combine(closed.TempDirectory, $"dotnet-diagnostic-{closed.Pid}-1-socket");
        await File.WriteAllTextAsync(stale, "", _ct);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-1));
        try
        {
            var result = await RunAsync("dotnet.stacks", closed.Pid, "stale");

            Assert.StartsWith($"process {closed.Pid} runs .NET but has no diagnostics socket the agent can see", result.Message);
        }
        finally
        {
            File.Delete(stale);
        }
    }

    [Fact]
    public async Task A_bad_duration_is_refused_with_the_allowed_range()
    {
        var result = await RunAsync("dotnet.counters", _app.Pid, "bad-duration", ("duration", "forever"));

        Assert.Equal(ExecutionPhase.Failed, result.Phase);
        Assert.Equal("parameter \"duration\" must be a duration from 1s to 600s (like 500ms, 5s, 1m), not \"forever\"", result.Message);
    }

    [Fact]
    public async Task A_process_that_is_not_dotnet_or_is_gone_is_a_clear_per_target_error_and_the_agent_serves_on()
    {
        using var sleeper = Process.Start("sleep", "60");
        var notDotnet = await RunAsync("dotnet.stacks", sleeper.Id, "not-dotnet");
        sleeper.Kill();
        await sleeper.WaitForExitAsync(_ct);
        var gone = await RunAsync("dotnet.stacks", sleeper.Id, "gone");
        var afterwards = await RunAsync("dotnet.processes", _app.Pid, "afterwards");

        Assert.Equal(ExecutionPhase.Failed, notDotnet.Phase);
        Assert.Equal($"process {sleeper.Id} (sleep) is not a .NET process (no .NET runtime is loaded in it)", notDotnet.Message);
        Assert.Equal(ExecutionPhase.Failed, gone.Phase);
        Assert.Contains("no running process found", gone.Message);
        Assert.Equal(ExecutionPhase.Succeeded, afterwards.Phase);
    }
}
