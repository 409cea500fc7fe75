using System.Net;
using System.Net.Sockets;
using Ops.Agent.V1;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Actions;

public sealed class ScriptAndHttpActionTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AgentHarness _harness = new();
    private TestAgent _agent = null!;

    private static readonly Dictionary<string, string?> Scripts = new()
    {
        ["Agent:Scripts:greet:Path"] = "/bin/echo",
        ["Agent:Scripts:greet:Arguments:0"] = "hello",
        ["Agent:Scripts:greet:Arguments:1"] = "{who}",
        ["Agent:Scripts:greet:Parameters:who:Required"] = "true",
        ["Agent:Scripts:loose:Path"] = "/bin/echo",
        ["Agent:Scripts:loose:Arguments:0"] = "{text}",
        ["Agent:Scripts:loose:Parameters:text:Pattern"] = "^.*$",
        ["Agent:Scripts:nap:Path"] = "/bin/sleep",
        ["Agent:Scripts:nap:Arguments:0"] = "{seconds}",
        ["Agent:Scripts:nap:Parameters:seconds:Type"] = "integer",
        ["Agent:Scripts:nap:Parameters:seconds:Default"] = "1",
        ["Agent:Scripts:fails:Path"] = "/bin/false",
        ["Agent:Scripts:inspect:Path"] = "/bin/sh",
        ["Agent:Scripts:inspect:Arguments:0"] = "-c",
        ["Agent:Scripts:inspect:Arguments:1"] = "echo \"$(id -u) $0 $1\"",
        ["Agent:Scripts:inspect:Arguments:2"] = "{pid}",
        ["Agent:Scripts:inspect:Arguments:3"] = "{root}",
        ["Agent:Scripts:inspect:Targets:0"] = "pods",
        ["Agent:Scripts:inspect-as-agent:Path"] = "/usr/bin/id",
        ["Agent:Scripts:inspect-as-agent:Arguments:0"] = "-u",
        ["Agent:Scripts:inspect-as-agent:Targets:0"] = "pods",
        ["Agent:Scripts:inspect-as-agent:RunAs"] = "agent",
        ["Agent:Scripts:inspect-as-ghost:Path"] = "/usr/bin/id",
        ["Agent:Scripts:inspect-as-ghost:Targets:0"] = "pods",
        ["Agent:Scripts:inspect-as-ghost:RunAs"] = "ghost-user-of-ops",
    };

    public async ValueTask InitializeAsync() => _agent = await _harness.StartAgentAsync(settings: Scripts);

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private Task<ExecutionResult> RunAsync(string action, int timeout = 30, Target? target = null, params (string, string)[] parameters) =>
        _harness.ExecuteAsync(_agent, AgentHarness.Request(action, target, Guid.NewGuid().ToString(), timeout: timeout, parameters: parameters), _ct);

    [Fact]
    public async Task A_named_script_runs_with_typed_parameters()
    {
        var result = await RunAsync("script.run", parameters: [("script", "greet"), ("who", "world")]);

        Assert.Equal(ExecutionPhase.Succeeded, result.Phase);
        Assert.Equal("hello world\n", result.Output.ToStringUtf8());
    }

    [Theory]
    [InlineData("rm", "", "script \"rm\" is not configured; configured scripts: fails, greet, inspect, inspect-as-agent, inspect-as-ghost, loose, nap")]
    [InlineData("inspect", "", "script \"inspect\" runs on pods only (its Targets), not on nodes")]
    [InlineData("greet", "who=a;rm -rf /", "script parameter \"who\" does not match ^[A-Za-z0-9._/:=-]{0,256}$")]
    [InlineData("greet", "", "script parameter \"who\" is required")]
    [InlineData("greet", "who=x,extra=1", "script parameter \"extra\" is not declared; declared: who")]
    [InlineData("nap", "seconds=soon", "script parameter \"seconds\" must be an integer")]
    public async Task Scripts_and_parameters_outside_the_configuration_are_refused(string script, string parameters, string message)
    {
        var given = parameters.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Select(p => (p[0], p[1])).Prepend(("script", script)).ToArray();

        var result = await RunAsync("script.run", parameters: given);

        Assert.Equal(ExecutionPhase.Failed, result.Phase);
        Assert.Equal(message, result.Message);
    }

    [Fact]
    public async Task Values_reach_the_script_as_one_argument_never_through_a_shell()
    {
        var result = await RunAsync("script.run", parameters: [("script", "loose"), ("text", "x; echo pwned $(id) `id`")]);

        Assert.Equal("x; echo pwned $(id) `id`\n", result.Output.ToStringUtf8());
    }

    [Fact]
    public async Task A_failing_or_overlong_script_fails_with_the_reason()
    {
        var failed = await RunAsync("script.run", parameters: [("script", "fails")]);
        var started = DateTime.UtcNow;
        var slow = await RunAsync("script.run", timeout: 1, parameters: [("script", "nap"), ("seconds", "30")]);

        Assert.Equal("script \"fails\" exited with 1", failed.Message);
        Assert.Equal("timed out after 1s", slow.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Check_http_compares_the_status_with_the_expected_range()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serving = Task.Run(async () =>
        {
            foreach (var status in new[] { "200 OK", "503 Service Unavailable" })
            {
                using var socket = await listener.AcceptSocketAsync(_ct);
                var buffer = new byte[4096];
                await socket.ReceiveAsync(buffer, _ct);
                await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _ct);
            }
        }, _ct);
        var pod = new Target { Pod = "p", PodIp = "127.0.0.1" };

        var healthy = await RunAsync("check.http", target: pod, parameters: [("port", port.ToString()), ("path", "/healthz")]);
        var unhealthy = await RunAsync("check.http", target: pod, parameters: [("port", port.ToString())]);
        var badUrl = await RunAsync("check.http", parameters: [("url", "file:///etc/passwd")]);
        await serving;

        Assert.Equal(ExecutionPhase.Succeeded, healthy.Phase);
        Assert.StartsWith($"GET http://127.0.0.1:{port}/healthz -> 200", healthy.Output.ToStringUtf8());
        Assert.Equal($"GET http://127.0.0.1:{port}/ returned 503, expected 200-399", unhealthy.Message);
        Assert.Equal("parameter \"url\" must be an absolute http or https URL, not \"file:///etc/passwd\"", badUrl.Message);
    }

    [Fact]
    public async Task On_a_pod_target_a_script_learns_the_target_process_and_runs_unprivileged_unless_it_says_otherwise()
    {
        using var app = System.Diagnostics.Process.Start("/bin/sleep", "30");
        try
        {
            var pod = new Target { Namespace = "shop", Pod = "checkout-1", Container = "api", ContainerId = $"sandbox://{app.Id}" };

            var inspected = await RunAsync("script.run", target: pod, parameters: [("script", "inspect")]);
            var asAgent = await RunAsync("script.run", target: pod, parameters: [("script", "inspect-as-agent")]);
            var nodeOnly = await RunAsync("script.run", target: pod, parameters: [("script", "greet"), ("who", "x")]);
            var ghost = await RunAsync("script.run", target: pod, parameters: [("script", "inspect-as-ghost")]);

            // This machine's tests run as root, so the agent can switch: nobody (65534) on Debian.
            var own = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
            var unprivileged = Environment.IsPrivilegedProcess ? "65534" : own;
            Assert.Equal(ExecutionPhase.Succeeded, inspected.Phase);
            Assert.Equal($"{unprivileged} {app.Id} /proc/{app.Id}/root\n", inspected.Output.ToStringUtf8());
            Assert.Equal($"{own}\n", asAgent.Output.ToStringUtf8());
            Assert.Equal(("script \"greet\" runs on nodes only (its Targets), not on pods", ExecutionPhase.Failed), (nodeOnly.Message, nodeOnly.Phase));
            // A user the node does not have (an agent image without it) is the reason, not a crash of the action.
            if (Environment.IsPrivilegedProcess) Assert.StartsWith("script \"inspect-as-ghost\" runs on pods as user ghost-user-of-ops (Agent:ScriptUser, or its RunAs), which the agent cannot run it as: ", ghost.Message);
        }
        finally
        {
            app.Kill();
        }
    }
}
