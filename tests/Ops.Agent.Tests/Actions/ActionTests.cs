using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Ops.Agent.V1;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Actions;

public sealed class ActionTests : IAsyncDisposable
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AgentHarness _harness = new();

    private async Task<ExecutionResult> RunAsync(string action, params (string, string)[] parameters) =>
        await _harness.ExecuteAsync(await _harness.StartAgentAsync(), AgentHarness.Request(action, uid: Guid.NewGuid().ToString(), parameters: parameters), _ct);

    [Fact]
    public async Task Node_info_reports_the_node_as_json()
    {
        var result = await RunAsync("node.info");

        var info = JsonDocument.Parse(result.Output.ToStringUtf8()).RootElement;
        Assert.Equal(ExecutionPhase.Succeeded, result.Phase);
        Assert.Equal("node-a", info.GetProperty("node").GetString());
        Assert.Equal("1.2.3", info.GetProperty("agentVersion").GetString());
        Assert.True(info.GetProperty("memory").GetProperty("totalBytes").GetInt64() > 0);
    }

    [Fact]
    public async Task Check_tcp_passes_on_an_open_port_and_fails_with_the_reason_on_a_closed_one()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var open = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var closedProbe = new TcpListener(IPAddress.Loopback, 0);
        closedProbe.Start();
        var closed = ((IPEndPoint)closedProbe.LocalEndpoint).Port;
        closedProbe.Stop();

        var up = await RunAsync("check.tcp", ("host", "127.0.0.1"), ("port", open.ToString()));
        var down = await RunAsync("check.tcp", ("host", "127.0.0.1"), ("port", closed.ToString()));

        Assert.Equal(ExecutionPhase.Succeeded, up.Phase);
        Assert.Equal(ExecutionPhase.Failed, down.Phase);
        Assert.Equal($"127.0.0.1:{closed} is not open: ConnectionRefused", down.Message);
    }

    [Fact]
    public async Task Agent_selftest_passes_on_a_healthy_agent()
    {
        var result = await RunAsync("agent.selftest");

        Assert.Equal(ExecutionPhase.Succeeded, result.Phase);
        Assert.DoesNotContain("FAIL", result.Output.ToStringUtf8());
    }

    [Fact]
    public async Task Agent_selftest_fails_with_the_reason_when_the_diagnostic_ports_directory_cannot_be_made()
    {
        var agent = await _harness.StartAgentAsync(settings: new Dictionary<string, string?> { ["Agent:DiagnosticPortsDirectory"] = "/dev/null/ports" });

        var result = await _harness.ExecuteAsync(agent, AgentHarness.Request("agent.selftest", uid: Guid.NewGuid().ToString()), _ct);

        Assert.Equal(ExecutionPhase.Failed, result.Phase);
        Assert.StartsWith("diagnostic ports directory usable: ", result.Message);
        Assert.Contains("ok   data directory writable", result.Output.ToStringUtf8());
    }

    public ValueTask DisposeAsync() => _harness.DisposeAsync();
}
