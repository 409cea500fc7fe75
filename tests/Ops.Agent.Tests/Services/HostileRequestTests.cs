using CsCheck;
using Grpc.Core;
using Ops.Agent.V1;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Services;

/// <summary>
/// Requests built to hurt, sent to a real agent over mTLS: every action of the catalogue but the two dumps (see Actions) with random
/// and hostile parameters (absurd numbers, device files, paths out of the root, catastrophic regular
/// expressions, shell injection), and messages over the size limit. Each gets a result that says what
/// is wrong (or a refusal of the call), nothing is run through a shell, and the agent keeps serving.
/// </summary>
public sealed class HostileRequestTests : IAsyncDisposable
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AgentHarness _harness = new();
    private static readonly string Pwned = Path.Combine(Path.GetTempPath(), $"ops-pwned-{Guid.NewGuid():n}");

    private static readonly string[] Actions =
    [
        "processes", "node.info", "file.tail", "log.grep", "check.tcp", "check.http", "check.process", "script.run", "agent.selftest",
        // Not dotnet.gcdump and dotnet.dump: DotnetDumpTests, running beside, check that no dump file is left in /tmp.
        "dotnet.processes", "dotnet.stacks", "dotnet.counters", "dotnet.trace", "no.such.action",
    ];

    private static readonly string[] Keys =
        ["path", "lines", "pattern", "maxMatches", "port", "host", "scheme", "script", "pid", "name", "seconds", "durationSeconds", "providers", "type", "file", "expectStatus"];

    private static readonly string[] HostileValues =
    [
        "", " ", "-1", "0", "2147483648", "99999999999999999999999", "1e308", "NaN", "0x10", "3.5",
        "/dev/zero", "/dev/urandom", "/proc/self/mem", "/proc/kcore", "/../../../etc/shadow", "/etc/../../proc/1/environ", "relative/path", "/tmp/\0nul",
        "(a+)+$", "((a*)*)*b", "(?<=(a+)+)b", "[", "\\", "(?", "(a|aa)*c",
        $"$(touch {Pwned})", $"; touch {Pwned}", $"`touch {Pwned}`", $"| touch {Pwned}", $"&& touch {Pwned}", "--help", "-rf",
        "127.0.0.1", "localhost", "::1", "not a host", "http://127.0.0.1:1/", "file:///etc/passwd",
        new string('a', 10_000), "é\u202e\ud83d\ude00",
    ];

    private static readonly Gen<string> Value = Gen.Frequency((4, Gen.OneOf(HostileValues)), (1, Gen.String[0, 40]));

    /// <summary>Requests on the node, on a real .NET app, or on the agent's own process.</summary>
    private static Gen<ExecuteRequest> Requests(int app) =>
        Gen.Select(Gen.OneOf(Actions), Gen.Select(Gen.Frequency((5, Gen.OneOf(Keys)), (1, Gen.String[0, 20])), Value).Array[0, 5], Gen.Int[0, 2],
            (action, parameters, on) =>
            {
                var request = AgentHarness.Request(action, uid: Guid.NewGuid().ToString("n"), timeout: 3, target: on switch
                {
                    0 => null,
                    1 => new Target { ContainerId = $"sandbox://{app}", Node = false },
                    _ => new Target { ContainerId = $"sandbox://{Environment.ProcessId}", Node = false },
                });
                foreach (var (name, value) in parameters) request.Parameters[name] = value;
                return request;
            });

    [Fact]
    public async Task Random_and_hostile_parameters_to_every_action_end_with_a_reason_and_the_agent_keeps_serving()
    {
        var agent = await _harness.StartAgentAsync();
        var client = _harness.Channels.For(agent.Address);
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await using var app = await SampleAppProcess.StartAsync();

        await Requests(app.Pid).SampleAsync(async request =>
        {
            ExecutionResult result;
            try
            {
                // The agent enforces the 3 s timeout; a call still open long after it is a hang.
                result = await _harness.ExecuteAsync(agent, request, _ct).WaitAsync(TimeSpan.FromSeconds(30), _ct);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"{request.Action} with {request.Parameters} on {request.Target} did not end");
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Status.Detail));
                outcomes.AddOrUpdate("refused", 1, (_, n) => n + 1);
                return;
            }
            Assert.True(result.Phase is ExecutionPhase.Succeeded or ExecutionPhase.Failed, $"{request.Action} ended {result.Phase}: {result.Message}");
            if (result.Phase == ExecutionPhase.Failed)
            {
                Assert.False(string.IsNullOrWhiteSpace(result.Message), $"{request.Action} failed without a reason");
                Assert.DoesNotContain("   at ", result.Message, StringComparison.Ordinal);
            }
            Assert.True(result.Output.Length <= 256 * 1024, $"{request.Action} returned {result.Output.Length} bytes");
            outcomes.AddOrUpdate(result.Phase.ToString(), 1, (_, n) => n + 1);
        }, iter: 300, threads: 2);

        Assert.False(File.Exists(Pwned), "a parameter was run by a shell");
        Assert.Equal("node-a", (await client.GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct)).Node);
        Assert.False(System.Diagnostics.Process.GetProcessById(app.Pid).HasExited, "the target app was killed");
        // The sample reached both ends: some requests were valid enough to run.
        Assert.True(outcomes.GetValueOrDefault("Failed") > 0 && outcomes.GetValueOrDefault("Succeeded") > 0, string.Join(", ", outcomes));
    }

    [Fact]
    public async Task A_request_over_the_message_size_limit_is_refused_and_the_agent_keeps_serving()
    {
        var agent = await _harness.StartAgentAsync();
        var client = _harness.Channels.For(agent.Address);
        var huge = AgentHarness.Request("file.tail", parameters: ("path", new string('/', 5 * 1024 * 1024)));

        var refused = await Assert.ThrowsAsync<RpcException>(() => _harness.ExecuteAsync(agent, huge, _ct));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal("node-a", (await client.GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct)).Node);
        var fine = await _harness.ExecuteAsync(agent, AgentHarness.Request("node.info", uid: "after-huge"), _ct);
        Assert.Equal(ExecutionPhase.Succeeded, fine.Phase);
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        File.Delete(Pwned);
    }
}
