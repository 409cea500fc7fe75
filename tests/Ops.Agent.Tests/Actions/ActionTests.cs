using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.Agent.V1;
using Ops.Operator.Agents;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Actions;

public sealed class ActionTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private async Task<ExecutionResult> RunAsync(string action, params (string, string)[] parameters)
    {
        using var pki = TestPki.Create();
        await using var agent = await TestAgent.StartAsync(pki);
        using var channels = new AgentChannels(pki.OperatorCertificate, pki.Ca.Certificate, NullLoggerFactory.Instance);
        var request = new ExecuteRequest { CommandUid = Guid.NewGuid().ToString(), TargetKey = "t", Action = action, TimeoutSeconds = 30, Target = new Target { Node = true } };
        foreach (var (name, value) in parameters) request.Parameters[name] = value;
        using var call = channels.For(agent.Address).Execute(request, cancellationToken: _ct);
        ExecutionResult? result = null;
        await foreach (var e in call.ResponseStream.ReadAllAsync(_ct)) result = e.Result ?? result;
        return result!;
    }

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
}
