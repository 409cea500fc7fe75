using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ops.Agent.V1;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Dotnet;

/// <summary>dotnet.dump: written by the runtime in the target's namespace, moved into the artifact store; refused when there is no room (its analysis: DumpAnalysisTests).</summary>
public sealed class DotnetDumpTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AgentHarness _harness = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _harness.DisposeAsync();

    private static ExecuteRequest Dump(int pid, string key, string type, ProcessSelector? process = null) =>
        AgentHarness.Request("dotnet.dump", new Target { Pod = "checkout", Container = "api", ContainerId = $"sandbox://{pid}", Process = process }, key: key, timeout: 120, parameters: [("type", type), ("analyze", "false")]);

    [Fact]
    public async Task A_mini_dump_becomes_an_artifact_and_leaves_nothing_in_the_target()
    {
        await using var app = await SampleAppProcess.StartAsync();
        var agent = await _harness.StartAgentAsync();

        var result = await _harness.ExecuteAsync(agent, Dump(app.Pid, "mini", "mini"), _ct);

        Assert.True(result.Phase == ExecutionPhase.Succeeded, result.Message);
        var artifact = Assert.Single(result.Artifacts);
        var file = Path.Combine(agent.DataDirectory, "artifacts", artifact.Name);
        var bytes = await File.ReadAllBytesAsync(file, _ct);
        Assert.Equal([0x7F, (byte)'E', (byte)'L', (byte)'F'], bytes[..4]);
        Assert.Equal(artifact.Sha256, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant());
        Assert.Empty(Directory.EnumerateFiles(app.TempDirectory, "ops-dump-*.dmp"));
    }

    [Fact]
    public async Task A_dump_of_a_process_in_its_own_mount_namespace_is_moved_out_through_its_root_and_leaves_nothing_there()
    {
        await using var contained = await SampleAppProcess.StartInOwnNamespacesAsync(tmpSize: "512m");
        var agent = await _harness.StartAgentAsync();

        var result = await _harness.ExecuteAsync(agent, Dump(contained.LauncherPid, "contained", "mini", new ProcessSelector { Name = "^dotnet$" }), _ct);

        Assert.True(result.Phase == ExecutionPhase.Succeeded, result.Message);
        Assert.StartsWith($"mini dump of process {contained.Pid}", result.Output.ToStringUtf8());
        var bytes = await File.ReadAllBytesAsync(Path.Combine(agent.DataDirectory, "artifacts", Assert.Single(result.Artifacts).Name), _ct);
        Assert.Equal([0x7F, (byte)'E', (byte)'L', (byte)'F'], bytes[..4]);
        // Its TMPDIR is a tmpfs only its mount namespace sees: the node reaches it through /proc/PID/root, where the
        // runtime's socket is (so this is the right place to look) and the dump is not.
        Assert.NotEmpty(Directory.EnumerateFiles(contained.TempDirectoryFromNode, $"dotnet-diagnostic-*-socket"));
        Assert.Empty(Directory.EnumerateFiles(contained.TempDirectoryFromNode, "ops-dump-*.dmp"));
        Assert.Empty(Directory.EnumerateFiles(contained.TempDirectory));
    }

    [Fact]
    public async Task A_dump_cancelled_while_the_runtime_writes_it_leaves_no_file_behind()
    {
        await using var app = await SampleAppProcess.StartAsync();
        var agent = await _harness.StartAgentAsync();

        var run = _harness.ExecuteAsync(agent, Dump(app.Pid, "cut", "full"), _ct);
        // Cancelled once the runtime's createdump writes the file in the target's TMPDIR: it goes on after the request is
        // abandoned, and the file it writes must not stay.
        await Eventually.True(() => Task.FromResult(CreatedumpRunning() && Directory.EnumerateFiles(app.TempDirectory, "ops-dump-*.dmp").Any()), "the runtime to start writing the dump");
        await _harness.Channels.For(agent.Address).CancelAsync(new CancelRequest { CommandUid = "uid-1", TargetKey = "cut" }, cancellationToken: _ct);
        var result = await run;
        await Eventually.True(() => Task.FromResult(!CreatedumpRunning()), "the runtime's createdump to finish");

        Assert.Equal(ExecutionPhase.Cancelled, result.Phase);
        Assert.Empty(Directory.EnumerateFiles(app.TempDirectory, "ops-dump-*.dmp"));
        Assert.True(Directory.Exists($"/proc/{app.Pid}"), "the app runs on");
    }

    private static bool CreatedumpRunning() => Directory.EnumerateDirectories("/proc").Any(d =>
    {
        try
        {
            return int.TryParse(Path.GetFileName(d), out _) && File.ReadAllText(Path.Combine(d, "comm")).Trim() == "createdump";
        }
        catch (IOException)
        {
            return false;
        }
    });

    [Fact]
    public async Task A_dump_queued_behind_a_trace_on_the_same_node_waits_for_it_instead_of_finding_the_budget_taken()
    {
        await using var app = await SampleAppProcess.StartAsync();
        var agent = await _harness.StartAgentAsync();
        var trace = _harness.ExecuteAsync(agent, AgentHarness.Request("dotnet.trace", new Target { Pod = "checkout", Container = "api", ContainerId = $"sandbox://{app.Pid}" }, key: "trace", timeout: 60, parameters: ("duration", "3s")), _ct);
        // The trace holds the node's one heavy-capture slot and, while it writes, the rest of the artifact budget.
        await Eventually.True(() => Task.FromResult(Directory.Exists(Path.Combine(agent.DataDirectory, "artifacts")) && Directory.EnumerateFiles(Path.Combine(agent.DataDirectory, "artifacts"), "*.partial").Any()), "the trace writing its artifact");

        var dump = await _harness.ExecuteAsync(agent, Dump(app.Pid, "queued", "mini"), _ct);

        Assert.Equal(ExecutionPhase.Succeeded, (await trace).Phase);
        Assert.True(dump.Phase == ExecutionPhase.Succeeded, dump.Message);
        Assert.Contains("waited", dump.Output.ToStringUtf8());
    }

    [Fact]
    public async Task A_dump_larger_than_the_artifact_budget_is_refused_before_it_is_written()
    {
        await using var app = await SampleAppProcess.StartAsync();
        var agent = await _harness.StartAgentAsync(settings: new Dictionary<string, string?> { ["Agent:Artifacts:BudgetBytes"] = (4 * 1024 * 1024).ToString() });

        var result = await _harness.ExecuteAsync(agent, Dump(app.Pid, "heap", "heap"), _ct);

        Assert.Equal(ExecutionPhase.Failed, result.Phase);
        Assert.Matches($@"^a heap dump of process {app.Pid} needs about \d+ MiB; this agent's artifact budget has 4 MiB left$", result.Message);
        Assert.Empty(Directory.EnumerateFiles(app.TempDirectory, "ops-dump-*.dmp"));
    }

    [Fact]
    public async Task A_dump_refused_for_lack_of_disk_in_the_target_says_so_and_the_process_runs_on()
    {
        await using var contained = await SampleAppProcess.StartInOwnNamespacesAsync(tmpSize: "2m");
        var agent = await _harness.StartAgentAsync();
        var dotnet = new ProcessSelector { Name = "^dotnet$" };

        var result = await _harness.ExecuteAsync(agent, Dump(contained.LauncherPid, "full-disk", "heap", dotnet), _ct);
        var afterwards = await _harness.ExecuteAsync(agent, AgentHarness.Request("dotnet.processes",
            new Target { Pod = "c", Container = "api", ContainerId = $"sandbox://{contained.LauncherPid}", Process = dotnet }, key: "afterwards"), _ct);

        Assert.Equal(ExecutionPhase.Failed, result.Phase);
        Assert.Matches($@"^the target's {Regex.Escape(contained.TempDirectory)} has [0-2] MiB free; a heap dump of process {contained.Pid} needs about \d+ MiB$", result.Message);
        Assert.Equal(ExecutionPhase.Succeeded, afterwards.Phase);
    }

    [Fact]
    public async Task An_unknown_dump_type_is_refused()
    {
        await using var app = await SampleAppProcess.StartAsync();
        var agent = await _harness.StartAgentAsync();

        var result = await _harness.ExecuteAsync(agent, Dump(app.Pid, "bad-type", "everything"), _ct);

        Assert.Equal("parameter \"type\" must be mini, heap or full, not \"everything\"", result.Message);
    }
}
