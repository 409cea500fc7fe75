using System.Net;
using System.Text.Json;
using Ops.Agent.V1;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Dotnet;

/// <summary>
/// The sample app's /chaos faults, each seen by the agent's own diagnostics as a user would look for it: the hot
/// method, the deadlocked threads, the type that fills the heap, the exceptions counted, the crash, the failing probe.
/// </summary>
public sealed class ChaosFaultsTests : AgentAndSampleApp
{
    private async Task<string> RunAsync(string action, string key, params (string, string)[] parameters)
    {
        var result = await Harness.ExecuteAsync(Agent, AgentHarness.Request(action, new Target { Pod = "checkout", Container = "api", ContainerId = $"sandbox://{App.Pid}" },
            key: key, parameters: parameters), Ct);
        Assert.True(result.Phase == ExecutionPhase.Succeeded, result.Message);
        return result.Output.ToStringUtf8();
    }

    private static JsonElement JsonOf(string output)
    {
        using var json = JsonDocument.Parse(output[output.IndexOf("{\"pid\"", StringComparison.Ordinal)..]);
        return json.RootElement.Clone();
    }

    [Fact]
    public async Task A_cpu_burn_shows_BurnCpu_on_a_stack()
    {
        await ChaosAsync("/chaos/cpu?seconds=10");

        var stacks = await RunAsync("dotnet.stacks", "cpu", ("format", "text"));

        Assert.Contains("Ops.SampleApp.Chaos.CpuBurner.BurnCpu", stacks);
    }

    [Fact]
    public async Task A_deadlock_shows_both_threads_waiting_in_their_methods()
    {
        await ChaosAsync("/chaos/deadlock");
        await Task.Delay(TimeSpan.FromMilliseconds(300), Ct);

        var stacks = await RunAsync("dotnet.stacks", "deadlock", ("format", "text"));

        Assert.Contains("Ops.SampleApp.Chaos.Deadlock.LockLedgerThenInventory", stacks);
        Assert.Contains("Ops.SampleApp.Chaos.Deadlock.LockInventoryThenLedger", stacks);
        // Deadlocked, not passing through: the two are still there a moment later.
        var again = await RunAsync("dotnet.stacks", "deadlock-again", ("format", "text"));
        Assert.Contains("Ops.SampleApp.Chaos.Deadlock.LockLedgerThenInventory", again);
    }

    [Fact]
    public async Task Memory_held_in_OrderSnapshot_objects_is_the_top_type_by_size_in_a_heap_snapshot()
    {
        await ChaosAsync("/chaos/alloc?mb=64&seconds=60");
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);

        var json = JsonOf(await RunAsync("dotnet.gcdump", "alloc", ("top", "5")));

        var top = json.GetProperty("bySize").EnumerateArray().First();
        Assert.Equal("Ops.SampleApp.Chaos.OrderSnapshot", top.GetProperty("type").GetString());
        Assert.True(top.GetProperty("bytes").GetInt64() >= 64L * 1024 * 1024, $"OrderSnapshot holds {top.GetProperty("bytes")} bytes");
    }

    [Fact]
    public async Task Thrown_exceptions_are_counted_by_the_runtime()
    {
        var before = JsonOf(await RunAsync("dotnet.counters", "before", ("duration", "1s")));
        Assert.Equal(0, before.GetProperty("counters").GetProperty("exception-count").GetDouble());

        var counting = RunAsync("dotnet.counters", "throwing", ("duration", "3s"));
        await Task.Delay(TimeSpan.FromMilliseconds(500), Ct);
        await ChaosAsync("/chaos/throw?count=5000");

        var after = JsonOf(await counting);
        Assert.True(after.GetProperty("counters").GetProperty("exception-count").GetDouble() > 0, after.ToString());
    }

    [Fact]
    public async Task A_crash_ends_the_process_as_a_fatal_error_does_and_a_failing_probe_fails_for_its_time()
    {
        await ChaosAsync("/chaos/unready?seconds=2");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await App.SendAsync(HttpMethod.Get, "/healthz", Ct)).Status);
        await Eventually.True(async () => (await App.SendAsync(HttpMethod.Get, "/healthz", Ct)).Status == HttpStatusCode.OK, "/healthz to answer 200 again");

        await ChaosAsync("/chaos/crash");
        await App.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // Environment.FailFast aborts: SIGABRT, 128 + 6.
        Assert.Equal(134, App.ExitCode);
    }

    [Fact]
    public async Task A_bad_or_missing_parameter_is_a_400_naming_it_and_does_no_harm()
    {
        var (status, body) = await App.SendAsync(HttpMethod.Post, "/chaos/alloc?mb=99999&seconds=5", Ct);
        var (missingStatus, missingBody) = await App.SendAsync(HttpMethod.Post, "/chaos/cpu", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("query parameter mb must be a whole number from 1 to 4096, not '99999'\n", body);
        Assert.Equal(HttpStatusCode.BadRequest, missingStatus);
        Assert.Equal("query parameter seconds must be a whole number from 1 to 600\n", missingBody);
        Assert.Equal(HttpStatusCode.OK, (await App.SendAsync(HttpMethod.Get, "/healthz", Ct)).Status);
    }
}
