using System.Security.Cryptography;
using Grpc.Core;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Ops.Agent.V1;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Dotnet;

/// <summary>dotnet.trace: an artifact on the node, downloadable intact, that TraceEvent opens; within the disk budget; one heavy capture at a time.</summary>
public sealed class DotnetTraceTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AgentHarness _harness = new();
    private SampleAppProcess _app = null!;

    public async ValueTask InitializeAsync() => _app = await SampleAppProcess.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _harness.DisposeAsync();
    }

    private ExecuteRequest Trace(string key, params (string, string)[] parameters) =>
        AgentHarness.Request("dotnet.trace", new Target { Pod = "checkout", Container = "api", ContainerId = $"sandbox://{_app.Pid}" }, key: key, parameters: parameters);

    private async Task<byte[]> DownloadAsync(TestAgent agent, string name, long offset = 0)
    {
        using var call = _harness.Channels.For(agent.Address).DownloadArtifact(new ArtifactRequest { Name = name, Offset = offset }, cancellationToken: _ct);
        using var buffer = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(_ct)) buffer.Write(chunk.Data.Span);
        return buffer.ToArray();
    }

    [Fact]
    public async Task A_cpu_trace_is_stored_downloads_intact_and_opens_with_TraceEvent()
    {
        var agent = await _harness.StartAgentAsync();

        var result = await _harness.ExecuteAsync(agent, Trace("cpu", ("duration", "1s")), _ct);

        Assert.True(result.Phase == ExecutionPhase.Succeeded, result.Message);
        var artifact = Assert.Single(result.Artifacts);
        var bytes = await DownloadAsync(agent, artifact.Name);
        Assert.Equal(artifact.SizeBytes, bytes.Length);
        Assert.Equal(artifact.Sha256, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant());
        Assert.Equal(bytes[1000..], await DownloadAsync(agent, artifact.Name, offset: 1000));

        var file = Path.Combine(TestWorkspace.CreateDirectory("trace-"), "trace.nettrace");
        await File.WriteAllBytesAsync(file, bytes, _ct);
        var samples = 0;
        using (var source = new EventPipeEventSource(file))
        {
            source.Dynamic.All += e => { if (e.ProviderName == "Microsoft-DotNETCore-SampleProfiler") samples++; };
            source.Process();
        }
        // Method names come from the rundown at the end of the session, as TraceLog (PerfView's model) resolves them.
        using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(file));
        var methods = log.CodeAddresses.Methods.Select(m => m.FullMethodName).ToList();
        Assert.True(samples > 0, "no sample profiler events in the trace");
        Assert.Contains(methods, m => m.StartsWith("Ops.SampleApp.OrderWorker.ProcessOrdersForever(", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Explicit_providers_replace_the_profile_and_a_malformed_list_is_refused_with_the_reason()
    {
        var agent = await _harness.StartAgentAsync();

        // The runtime provider with the GC keyword (0x1) at Verbose, and nothing else: no sample profiler.
        var result = await _harness.ExecuteAsync(agent, Trace("providers", ("duration", "2s"), ("providers", "Microsoft-Windows-DotNETRuntime:0x1:5")), _ct);
        var bad = await _harness.ExecuteAsync(agent, Trace("bad-providers", ("providers", "A:B:C:D")), _ct);
        var badKeywords = await _harness.ExecuteAsync(agent, Trace("bad-keywords", ("providers", "Microsoft-Windows-DotNETRuntime:zz")), _ct);

        Assert.True(result.Phase == ExecutionPhase.Succeeded, result.Message);
        var file = Path.Combine(TestWorkspace.CreateDirectory("trace-"), "trace.nettrace");
        await File.WriteAllBytesAsync(file, await DownloadAsync(agent, Assert.Single(result.Artifacts).Name), _ct);
        int samples = 0, gc = 0;
        using (var source = new EventPipeEventSource(file))
        {
            source.Dynamic.All += e => { if (e.ProviderName == "Microsoft-DotNETCore-SampleProfiler") samples++; };
            // The runtime's events are read by TraceEvent's own parser for them.
            source.Clr.All += e => { if (e.EventName.StartsWith("GC/", StringComparison.Ordinal)) gc++; };
            source.Process();
        }
        Assert.Equal(0, samples);
        // The sample app allocates steadily (its order worker): at Verbose, GC/AllocationTick comes every 100 KB.
        Assert.True(gc > 0, "no GC events from the runtime provider");
        Assert.Equal("provider \"A:B:C:D\" must be Name[:keywords-hex[:level]]", bad.Message);
        Assert.Equal("provider \"Microsoft-Windows-DotNETRuntime:zz\": keywords must be hexadecimal", badKeywords.Message);
        Assert.Empty(bad.Artifacts);
    }

    [Fact]
    public async Task A_heap_snapshot_lists_the_known_type_among_the_top_types_and_keeps_the_snapshot_as_an_artifact()
    {
        var agent = await _harness.StartAgentAsync();

        var result = await _harness.ExecuteAsync(agent, AgentHarness.Request("dotnet.gcdump", new Target { Pod = "checkout", Container = "api", ContainerId = $"sandbox://{_app.Pid}" },
            key: "gcdump", parameters: ("top", "30")), _ct);

        Assert.True(result.Phase == ExecutionPhase.Succeeded, result.Message);
        var output = result.Output.ToStringUtf8();
        using var json = System.Text.Json.JsonDocument.Parse(output[output.IndexOf("{\"pid\"", StringComparison.Ordinal)..]);
        var byCount = json.RootElement.GetProperty("byCount").EnumerateArray().ToList();
        var orders = byCount.Single(t => t.GetProperty("type").GetString() == "Ops.SampleApp.Order");
        Assert.True(orders.GetProperty("count").GetInt64() >= 100, $"only {orders.GetProperty("count")} orders on the heap");
        var artifact = Assert.Single(result.Artifacts);
        Assert.Equal(artifact.Sha256, Convert.ToHexString(SHA256.HashData(await DownloadAsync(agent, artifact.Name))).ToLowerInvariant());
    }

    [Fact]
    public async Task A_trace_that_would_pass_the_disk_budget_is_refused_with_the_reason_and_leaves_nothing_behind()
    {
        var data = TestWorkspace.CreateDirectory("agent-");
        Directory.CreateDirectory(Path.Combine(data, "artifacts"));
        await File.WriteAllBytesAsync(Path.Combine(data, "artifacts", "older-artifact"), new byte[1024 * 1024], _ct);
        var agent = await _harness.StartAgentAsync(data, settings: new Dictionary<string, string?> { ["Agent:Artifacts:BudgetBytes"] = (1024 * 1024).ToString() });

        var result = await _harness.ExecuteAsync(agent, Trace("over-budget", ("duration", "1s")), _ct);

        Assert.Equal(ExecutionPhase.Failed, result.Phase);
        Assert.Equal("the artifact would exceed this agent's artifact budget of 1 MiB (1 MiB in use); delete old commands' artifacts or raise Agent:Artifacts:BudgetBytes", result.Message);
        Assert.Equal(["older-artifact"], Directory.GetFiles(Path.Combine(data, "artifacts")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_process_that_exits_mid_trace_fails_the_target_with_the_reason_and_leaves_no_partial_artifact()
    {
        var agent = await _harness.StartAgentAsync();
        var tracing = _harness.ExecuteAsync(agent, Trace("exits", ("duration", "10s")), _ct);
        await Eventually.True(() => Task.FromResult(Directory.Exists(Path.Combine(agent.DataDirectory, "artifacts"))
            && Directory.EnumerateFiles(Path.Combine(agent.DataDirectory, "artifacts"), "*.partial").Any()), "the trace to be under way");

        await _app.DisposeAsync();
        var result = await tracing.WaitAsync(Timeouts.Eventually, _ct);
        var counters = await _harness.ExecuteAsync(agent, AgentHarness.Request("dotnet.processes", new Target { Node = true }, key: "still-serving"), _ct);

        Assert.Equal(ExecutionPhase.Failed, result.Phase);
        Assert.Equal($"process {_app.Pid} exited during the trace", result.Message);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(agent.DataDirectory, "artifacts")));
        Assert.NotEqual(ExecutionPhase.Unspecified, counters.Phase);
    }

    [Fact]
    public async Task Heavy_captures_take_turns_and_the_one_that_waited_says_so()
    {
        var agent = await _harness.StartAgentAsync();

        var results = await Task.WhenAll(
            _harness.ExecuteAsync(agent, Trace("first", ("duration", "2s"), ("profile", "gc")), _ct),
            _harness.ExecuteAsync(agent, Trace("second", ("duration", "2s"), ("profile", "gc")), _ct));

        Assert.All(results, r => Assert.True(r.Phase == ExecutionPhase.Succeeded, r.Message));
        Assert.Single(results, r => r.Output.ToStringUtf8().Contains("for a heavy-action slot", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Downloading_an_unknown_or_unsafe_name_is_not_found()
    {
        var agent = await _harness.StartAgentAsync();

        var unknown = await Assert.ThrowsAsync<RpcException>(() => DownloadAsync(agent, "nothing-here"));
        var escape = await Assert.ThrowsAsync<RpcException>(() => DownloadAsync(agent, "../executions"));

        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.NotFound, escape.StatusCode);
    }
}
