using System.Net;
using System.Net.Sockets;
using Ops.Agent.V1;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Actions;

/// <summary>
/// A network check of a pod reaches that pod only: 127.0.0.2 plays the pod, 127.0.0.1 everything else on
/// the node's network (the API server, the operator). Each refused check must leave "elsewhere" untouched.
/// </summary>
public sealed class NetworkCheckConfinementTests : IAsyncLifetime
{
    private const string PodIp = "127.0.0.2";
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AgentHarness _harness = new();
    private readonly TcpListener _pod = new(IPAddress.Parse(PodIp), 0);
    private readonly TcpListener _elsewhere = new(IPAddress.Loopback, 0);
    private TestAgent _agent = null!;

    private static readonly Target Pod = new() { Namespace = "shop", Pod = "checkout-1", Container = "api", PodIp = PodIp };

    private int PodPort => ((IPEndPoint)_pod.LocalEndpoint).Port;

    private int ElsewherePort => ((IPEndPoint)_elsewhere.LocalEndpoint).Port;

    public async ValueTask InitializeAsync()
    {
        _pod.Start();
        _elsewhere.Start();
        _agent = await _harness.StartAgentAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _pod.Stop();
        _elsewhere.Stop();
        await _harness.DisposeAsync();
    }

    private Task<ExecutionResult> RunAsync(string action, Target target, params (string, string)[] parameters) =>
        _harness.ExecuteAsync(_agent, AgentHarness.Request(action, target, Guid.NewGuid().ToString(), parameters: parameters), _ct);

    private string Refusal(string action, string named) =>
        $"{action} of a pod reaches only that pod ({PodIp}); {named} is elsewhere and was refused (the namespace's policies allow no other destination). " +
        "Leave out the host to check the pod, or ask for the destination in the namespace's DiagnosticPolicy (networkCheckDestinations)";

    [Fact]
    public async Task Check_tcp_of_a_pod_opens_the_pod_and_refuses_every_other_address_without_connecting()
    {
        var own = await RunAsync("check.tcp", Pod, ("port", PodPort.ToString()));
        var ownMapped = await RunAsync("check.tcp", Pod, ("host", $"::ffff:{PodIp}"), ("port", PodPort.ToString()));
        Assert.Equal(ExecutionPhase.Succeeded, own.Phase);
        Assert.Equal(ExecutionPhase.Succeeded, ownMapped.Phase);

        foreach (var host in new[] { "127.0.0.1", "::ffff:127.0.0.1", "0.0.0.0", "::1" })
        {
            var refused = await RunAsync("check.tcp", Pod, ("host", host), ("port", ElsewherePort.ToString()));
            Assert.Equal(ExecutionPhase.Failed, refused.Phase);
            Assert.Equal(Refusal("check.tcp", host == "::ffff:127.0.0.1" ? "::ffff:127.0.0.1 (127.0.0.1)" : host), refused.Message);
        }
        var byName = await RunAsync("check.tcp", Pod, ("host", "localhost"), ("port", ElsewherePort.ToString()));
        Assert.Equal(ExecutionPhase.Failed, byName.Phase);
        Assert.StartsWith("check.tcp of a pod reaches only that pod (127.0.0.2); localhost (", byName.Message);
        Assert.False(_elsewhere.Pending(), "a refused check connected anyway");

        var node = await RunAsync("check.tcp", new Target { Node = true }, ("host", "127.0.0.1"), ("port", ElsewherePort.ToString()));
        Assert.Equal(ExecutionPhase.Succeeded, node.Phase);
    }

    [Fact]
    public async Task Check_http_of_a_pod_requests_the_pod_only_and_follows_no_redirect_elsewhere()
    {
        var serving = Task.Run(async () =>
        {
            using var socket = await _pod.AcceptSocketAsync(_ct);
            await socket.ReceiveAsync(new byte[4096], _ct);
            var redirect = $"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{ElsewherePort}/metrics\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(redirect), _ct);
        }, _ct);

        var own = await RunAsync("check.http", Pod, ("port", PodPort.ToString()), ("path", "/healthz"));
        await serving;
        Assert.Equal(ExecutionPhase.Succeeded, own.Phase);
        Assert.StartsWith($"GET http://{PodIp}:{PodPort}/healthz -> 302", own.Output.ToStringUtf8());

        foreach (var url in new[] { $"http://127.0.0.1:{ElsewherePort}/metrics", $"http://{PodIp}@127.0.0.1:{ElsewherePort}/", $"http://[::1]:{ElsewherePort}/" })
        {
            var refused = await RunAsync("check.http", Pod, ("url", url));
            Assert.Equal(ExecutionPhase.Failed, refused.Phase);
            Assert.StartsWith("check.http of a pod reaches only that pod (127.0.0.2); ", refused.Message);
        }
        Assert.False(_elsewhere.Pending(), "a refused check or a redirect reached elsewhere");
    }

    [Fact]
    public async Task A_destination_the_namespaces_policies_list_is_reached_and_one_they_do_not_is_refused_naming_the_list()
    {
        var listed = Pod.Clone();
        listed.NetworkDestinations.Add("127.0.0.0/30");
        var other = Pod.Clone();
        other.NetworkDestinations.Add("10.0.0.0/8");
        var byName = Pod.Clone();
        byName.NetworkDestinations.Add("localhost");

        var allowed = await RunAsync("check.tcp", listed, ("host", "127.0.0.1"), ("port", ElsewherePort.ToString()));
        var refused = await RunAsync("check.tcp", other, ("host", "127.0.0.1"), ("port", ElsewherePort.ToString()));
        var named = await RunAsync("check.tcp", byName, ("host", "localhost"), ("port", ElsewherePort.ToString()));
        var literal = await RunAsync("check.tcp", byName, ("host", "127.0.0.1"), ("port", ElsewherePort.ToString()));

        Assert.Equal(ExecutionPhase.Succeeded, allowed.Phase);
        Assert.Equal(ExecutionPhase.Failed, refused.Phase);
        Assert.Contains("127.0.0.1 is elsewhere and was refused (the namespace's policies allow only 10.0.0.0/8 besides)", refused.Message);
        Assert.Equal(ExecutionPhase.Succeeded, named.Phase);
        // A name in the list allows that name, not whatever address it resolves to when asked for by address.
        Assert.Equal(ExecutionPhase.Failed, literal.Phase);
    }
}
