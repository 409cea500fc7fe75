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

    /// <summary>
    /// Scripts the agent is configured with, so hostile values reach script.run's real path: one that passes its
    /// parameter to a program as an argument, one that hands it to a shell as a positional parameter (quoted, as a
    /// careful admin writes it). If the agent ever spliced a value into a command line, a payload would run. Both are
    /// for nodes and pods, so that requests on either kind reach the script (on a pod, as the unprivileged user).
    /// </summary>
    private static readonly Dictionary<string, string?> Scripts = new()
    {
        ["Agent:Scripts:echo:Path"] = "/bin/echo",
        ["Agent:Scripts:echo:Arguments:0"] = "{text}",
        ["Agent:Scripts:echo:Parameters:text:Pattern"] = "^[^\\n]{0,20000}$",
        ["Agent:Scripts:echo:Targets:0"] = "nodes",
        ["Agent:Scripts:echo:Targets:1"] = "pods",
        ["Agent:Scripts:quoted:Path"] = "/bin/sh",
        ["Agent:Scripts:quoted:Arguments:0"] = "-c",
        ["Agent:Scripts:quoted:Arguments:1"] = "printf '%s\\n' \"$1\"",
        ["Agent:Scripts:quoted:Arguments:2"] = "quoted",
        ["Agent:Scripts:quoted:Arguments:3"] = "{text}",
        ["Agent:Scripts:quoted:Parameters:text:Pattern"] = "^[^\\n]{0,20000}$",
        ["Agent:Scripts:quoted:Parameters:text:Required"] = "true",
        ["Agent:Scripts:quoted:Targets:0"] = "nodes",
        ["Agent:Scripts:quoted:Targets:1"] = "pods",
    };

    private static readonly string[] ScriptNames = ["echo", "quoted"];

    private static readonly string[] HostileValues =
    [
        "", " ", "-1", "0", "2147483648", "99999999999999999999999", "1e308", "-1e308", "NaN", "Infinity", "0x10", "3.5", "1e9s", "99999999m", "-5s", "0ms",
        "/dev/zero", "/dev/urandom", "/proc/self/mem", "/proc/kcore", "/../../../etc/shadow", "/etc/../../proc/1/environ", "relative/path", "/tmp/\0nul",
        "(a+)+$", "((a*)*)*b", "(?<=(a+)+)b", "[", "\\", "(?", "(a|aa)*c",
        $"$(touch {Pwned})", $"; touch {Pwned}", $"`touch {Pwned}`", $"| touch {Pwned}", $"&& touch {Pwned}", $"\"; touch {Pwned}; \"", $"'; touch {Pwned}; '", "--help", "-rf",
        "127.0.0.1", "localhost", "::1", "not a host", "http://127.0.0.1:1/", "file:///etc/passwd", "gopher://127.0.0.1:1/", "http://[::1]:0/",
        "cpu-sampling", "gc", "Microsoft-Windows-DotNETRuntime:ffffffffffffffff:5", "A:B:C:D", "::::", ",,,", "json", "text", "both", "mini", "full", "true", "false",
        new string('a', 10_000), "é\u202e\ud83d\ude00",
    ];

    private static readonly Gen<string> Value = Gen.Frequency((4, Gen.OneOf(HostileValues)), (1, Gen.String[0, 40]));

    /// <summary>
    /// Requests on the node, on a real .NET app, or on the agent's own process, with the parameters the action really
    /// takes (its declared names, from the agent's catalogue; script.run also the scripts' own), every one of them in
    /// half the requests, now and then a name it does not take.
    /// </summary>
    private static Gen<ExecuteRequest> Requests(int app, Func<string, IReadOnlyList<string>> parametersOf) =>
        Gen.OneOf(Actions).SelectMany(action =>
        {
            string[] names = action == "script.run" ? [.. parametersOf(action).Where(n => n != "script"), "text"] : [.. parametersOf(action)];
            var name = names.Length == 0 ? Gen.String[0, 20] : Gen.Frequency((6, Gen.OneOf(names)), (1, Gen.String[0, 20]));
            var script = Gen.Frequency((5, Gen.OneOf(ScriptNames)), (1, Value));
            return Gen.Select(Gen.Select(name, Value).Array[0, 4], Gen.Bool, Value.Array[names.Length], Gen.Int[0, 2], script, (parameters, all, values, on, scriptName) =>
            {
                var request = AgentHarness.Request(action, uid: Guid.NewGuid().ToString("n"), timeout: 3, target: on switch
                {
                    0 => null,
                    1 => new Target { ContainerId = $"sandbox://{app}", Node = false },
                    _ => new Target { ContainerId = $"sandbox://{Environment.ProcessId}", Node = false },
                });
                if (all) for (var i = 0; i < names.Length; i++) request.Parameters[names[i]] = values[i];
                foreach (var (key, value) in parameters) request.Parameters[key] = value;
                if (action == "script.run") request.Parameters["script"] = scriptName;
                return request;
            });
        });

    [Fact]
    public async Task Random_and_hostile_parameters_to_every_action_end_with_a_reason_and_the_agent_keeps_serving()
    {
        var agent = await _harness.StartAgentAsync(settings: Scripts);
        var client = _harness.Channels.For(agent.Address);
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var sent = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>();
        await using var app = await SampleAppProcess.StartAsync();

        await Requests(app.Pid, agent.Actions.ParametersOf).SampleAsync(async request =>
        {
            foreach (var name in request.Parameters.Keys) sent.TryAdd($"{request.Action} {name}", 0);
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
                // "the action failed: ..." is the catch-all for an exception the action did not expect: a bug, not a reason.
                Assert.False(result.Message.StartsWith("the action failed:", StringComparison.Ordinal), $"{request.Action} with {request.Parameters}: {result.Message}");
            }
            Assert.True(result.Output.Length <= 256 * 1024, $"{request.Action} returned {result.Output.Length} bytes");
            outcomes.AddOrUpdate(result.Phase.ToString(), 1, (_, n) => n + 1);
            outcomes.AddOrUpdate($"{request.Action} {result.Phase}", 1, (_, n) => n + 1);
        }, iter: 300, threads: 2);

        // Every parameter every action really takes was sent (with the values that bound time and size: durations,
        // line counts, timeouts, tops), and the configured scripts ran with hostile values.
        var declared = Actions.SelectMany(a => agent.Actions.ParametersOf(a).Select(p => $"{a} {p}")).Append("script.run text").ToList();
        Assert.DoesNotContain(declared, d => !sent.ContainsKey(d));
        Assert.True(outcomes.GetValueOrDefault("script.run Succeeded") > 0, string.Join(", ", outcomes));

        Assert.False(File.Exists(Pwned), "a parameter was run by a shell");
        Assert.Equal("node-a", (await client.GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct)).Node);
        Assert.False(System.Diagnostics.Process.GetProcessById(app.Pid).HasExited, "the target app was killed");
        // The sample reached both ends: some requests were valid enough to run.
        Assert.True(outcomes.GetValueOrDefault("Failed") > 0 && outcomes.GetValueOrDefault("Succeeded") > 0, string.Join(", ", outcomes));
    }

    [Fact]
    public async Task Shell_payloads_in_script_parameters_reach_the_script_verbatim_as_one_argument_and_run_nothing()
    {
        var agent = await _harness.StartAgentAsync(settings: Scripts);
        string[] payloads = [.. HostileValues.Where(v => v.Contains(Pwned, StringComparison.Ordinal)), "$HOME", "*", "a b  c", "-n", "\\n"];

        foreach (var script in ScriptNames)
        {
            foreach (var payload in payloads)
            {
                var result = await _harness.ExecuteAsync(agent, AgentHarness.Request("script.run", uid: Guid.NewGuid().ToString("n"), parameters: [("script", script), ("text", payload)]), _ct);

                Assert.True(result.Phase == ExecutionPhase.Succeeded, $"{script} with {payload}: {result.Message}");
                // echo treats a leading -n as its option: the argument still arrived alone and unexpanded.
                Assert.Equal(script == "echo" && payload == "-n" ? "" : payload + "\n", result.Output.ToStringUtf8());
            }
        }
        Assert.False(File.Exists(Pwned), "a parameter was run by a shell");
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
