using System.Net;
using System.Security.Cryptography;
using Ops.Agent.V1;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Dumps;

/// <summary>
/// Crash dumps as a restarted container leaves them: the sample app started with the runtime's crash-dump variables
/// pointing into a directory that outlives it (an emptyDir's part), crashed through /chaos/crash, and started again
/// with the same environment; dotnet.crashdumps finds the dump through the new process, keeps it once as the pod's
/// artifact, analyses it, and reads nothing it should not (links, FIFOs, files the template does not make).
/// </summary>
public sealed class CrashDumpTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AgentHarness _harness = new();
    private readonly string _dumps = TestWorkspace.CreateDirectory("crashdumps-");
    private TestAgent _agent = null!;
    private SampleAppProcess? _app;

    private Dictionary<string, string> CrashDumpEnvironment => new()
    {
        ["DOTNET_DbgEnableMiniDump"] = "1", ["DOTNET_DbgMiniDumpType"] = "1", ["DOTNET_DbgMiniDumpName"] = Path.Combine(_dumps, "%e.%p.%t.dmp"),
    };

    public async ValueTask InitializeAsync() => _agent = await _harness.StartAgentAsync();

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        await _harness.DisposeAsync();
    }

    private Task<ExecutionResult> CrashDumpsAsync(SampleAppProcess app, string uid, params (string, string)[] parameters) =>
        _harness.ExecuteAsync(_agent, AgentHarness.Request("dotnet.crashdumps", new Target { Pod = "checkout", Container = "api", ContainerId = $"sandbox://{app.Pid}" },
            uid: uid, key: "pod/shop/checkout/api", timeout: 120, parameters: parameters), _ct);

    private async Task<string> CrashAsync()
    {
        await using var crashing = await SampleAppProcess.StartAsync(CrashDumpEnvironment);
        var (status, body) = await crashing.SendAsync(HttpMethod.Post, "/chaos/crash", _ct);
        Assert.True(status == HttpStatusCode.Accepted, body);
        await crashing.WaitForExitAsync(_ct).WaitAsync(TimeSpan.FromSeconds(60), _ct);
        var dump = Assert.Single(Directory.GetFiles(_dumps, "*.dmp"));
        // Past the moment a dump is taken as still being written.
        await Task.Delay(TimeSpan.FromSeconds(2.5), _ct);
        return dump;
    }

    [Fact]
    public async Task A_crash_dump_is_found_through_the_restarted_process_kept_once_and_analysed()
    {
        var dump = await CrashAsync();
        _app = await SampleAppProcess.StartAsync(CrashDumpEnvironment);

        var first = await CrashDumpsAsync(_app, "uid-1");
        var second = await CrashDumpsAsync(_app, "uid-2", ("analyze", "false"));

        Assert.True(first.Phase == ExecutionPhase.Succeeded, first.Message);
        var output = first.Output.ToStringUtf8();
        Assert.StartsWith("CRASH: thread ", output);
        Assert.Contains("called Environment.FailFast from Ops.SampleApp.Chaos.Crash.Soon()", output.Split('\n')[0]);
        var kept = Assert.Single(first.Artifacts, a => a.Name.EndsWith(".dmp", StringComparison.Ordinal));
        Assert.Equal($"crash-{Path.GetFileName(dump)}", $"{kept.Name.Split('-', 3)[0]}-{kept.Name.Split('-', 3)[2]}");
        Assert.Equal(Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(dump, _ct))).ToLowerInvariant(), kept.Sha256);
        Assert.Single(first.Artifacts, a => a.Name.EndsWith(".analysis.json", StringComparison.Ordinal));
        Assert.Contains($"crash dumps in {_dumps} (DOTNET_DbgMiniDumpName={_dumps}/%e.%p.%t.dmp, mini dumps): 1", output);

        Assert.True(second.Phase == ExecutionPhase.Succeeded, second.Message);
        Assert.Contains($"kept before as {kept.Name}", second.Output.ToStringUtf8());
        Assert.Equal([kept.Name], second.Artifacts.Select(a => a.Name));
        Assert.Single(Directory.GetFiles(Path.Combine(_agent.DataDirectory, "artifacts"), "crash-*"));
        var (status, _) = await _app.SendAsync(HttpMethod.Get, "/healthz", _ct);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Links_fifos_and_files_the_template_does_not_make_are_left_alone_and_remove_empties_the_volume()
    {
        var dump = await CrashAsync();
        File.CreateSymbolicLink(Path.Combine(_dumps, "dotnet.1.1.dmp"), "/proc/self/exe");
        Assert.Equal(0, Mkfifo(Path.Combine(_dumps, "dotnet.2.2.dmp"), 0b110_000_000));
        File.Copy(dump, Path.Combine(_dumps, "copy-of-a-dump.bin"));
        _app = await SampleAppProcess.StartAsync(CrashDumpEnvironment);

        var result = await CrashDumpsAsync(_app, "uid-1", ("remove", "true"), ("analyze", "false"));

        Assert.True(result.Phase == ExecutionPhase.Succeeded, result.Message);
        var kept = Assert.Single(result.Artifacts);
        Assert.EndsWith(Path.GetFileName(dump), kept.Name);
        Assert.Contains("removed from the container's volume", result.Output.ToStringUtf8());
        Assert.False(File.Exists(dump));
        Assert.Equal(["copy-of-a-dump.bin", "dotnet.1.1.dmp", "dotnet.2.2.dmp"], Directory.GetFileSystemEntries(_dumps).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task A_container_that_sets_no_crash_dump_name_is_told_how_to()
    {
        _app = await SampleAppProcess.StartAsync();

        var result = await CrashDumpsAsync(_app, "uid-1");

        Assert.Equal(ExecutionPhase.Failed, result.Phase);
        Assert.StartsWith("no process of container api sets DOTNET_DbgMiniDumpName: start it with DOTNET_DbgEnableMiniDump=1", result.Message);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int Mkfifo([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, uint mode);
}
