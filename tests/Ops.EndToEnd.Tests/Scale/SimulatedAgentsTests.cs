using System.Net.Sockets;
using Grpc.Core;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.Agent.Security;
using Ops.Agent.V1;
using Ops.AgentSimulation;
using Ops.Demo;
using Ops.Operator.Agents;
using Ops.Operator.Agents.Pki;
using Ops.Sandbox.Hosting;
using Ops.Sandbox.Nodes;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Scale;

/// <summary>
/// The load simulator: agent pods of a DaemonSet run as simulated agents that the operator's own gRPC
/// client reaches over mTLS at each node's address, with the configured latency and failure rate.
/// </summary>
public sealed class SimulatedAgentsTests : IAsyncLifetime
{
    private const int Nodes = 3;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly TestPki _pki = TestPki.Create();
    private readonly int _port = LoopbackPorts.Free();
    private SimulatedAgents _agents = null!;
    private SandboxServer _sandbox = null!;
    private Kubernetes _client = null!;
    private AgentChannels _channels = null!;

    public async ValueTask InitializeAsync()
    {
        _agents = await SimulatedAgents.StartAsync(new AgentSimulationOptions
        {
            Latency = TimeSpan.FromMilliseconds(1),
            ActionLatency = new Dictionary<string, TimeSpan> { ["dotnet.counters"] = TimeSpan.FromMilliseconds(400) },
            FailureRate = 0.3,
        }, cancellationToken: _ct);
        _sandbox = await SandboxFixture.StartAsync(new SandboxOptions { Nodes = Nodes, Images = new Dictionary<string, SandboxImage> { ["ops-agent"] = _agents.Image } }, applyCrds: false);
        _client = SandboxFixture.CreateClient(_sandbox);
        _channels = new AgentChannels(_pki.OperatorCertificate, _pki.Ca.Certificate, NullLoggerFactory.Instance);
        await _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "ops-agent-tls" },
            StringData = new Dictionary<string, string>
            {
                ["tls.crt"] = await File.ReadAllTextAsync(_pki.AgentCertificatePath, _ct),
                ["tls.key"] = await File.ReadAllTextAsync(_pki.AgentKeyPath, _ct),
                ["ca.crt"] = await File.ReadAllTextAsync(_pki.CaPath, _ct),
            },
        }, "default", cancellationToken: _ct);
        await _client.AppsV1.CreateNamespacedDaemonSetAsync(AgentDaemonSet("ops-agent:1.4.2"), "default", cancellationToken: _ct);
        await Eventually.True(async () => (await AgentPodsAsync()).Count(p => p.Status?.ContainerStatuses?.SingleOrDefault()?.Ready == true) == Nodes, "a ready simulated agent on every node");
    }

    public async ValueTask DisposeAsync()
    {
        _channels.Dispose();
        _client.Dispose();
        await _sandbox.DisposeAsync();
        await _agents.DisposeAsync();
        _pki.Dispose();
    }

    private V1DaemonSet AgentDaemonSet(string image) => new()
    {
        Metadata = new V1ObjectMeta { Name = "ops-agent" },
        Spec = new V1DaemonSetSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "agent" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "agent" } },
                Spec = new V1PodSpec
                {
                    HostNetwork = true,
                    Containers = [new V1Container
                    {
                        Name = "agent", Image = image,
                        Env =
                        [
                            new V1EnvVar { Name = "Agent__NodeName", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.nodeName" } } },
                            new V1EnvVar { Name = "Agent__Port", Value = $"{_port}" },
                            new V1EnvVar { Name = "Agent__CertificatePath", Value = "/etc/ops/tls/tls.crt" },
                            new V1EnvVar { Name = "Agent__KeyPath", Value = "/etc/ops/tls/tls.key" },
                            new V1EnvVar { Name = "Agent__CaPath", Value = "/etc/ops/tls/ca.crt" },
                        ],
                        ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = _port } },
                        VolumeMounts = [new V1VolumeMount { Name = "tls", MountPath = "/etc/ops/tls" }],
                    }],
                    Volumes = [new V1Volume { Name = "tls", Secret = new V1SecretVolumeSource { SecretName = "ops-agent-tls" } }],
                },
            },
        },
    };

    private async Task<IList<V1Pod>> AgentPodsAsync() => (await _client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=agent", cancellationToken: _ct)).Items;

    private Ops.Agent.V1.Agent.AgentClient AgentOf(int node) => _channels.For($"127.0.0.{10 + node}:{_port}");

    private static ExecuteRequest Request(string action, string uid, string key) => new() { CommandUid = uid, TargetKey = key, Action = action, TimeoutSeconds = 30, Target = new Target { Node = true } };

    private static async Task<ExecutionResult> ExecuteAsync(Ops.Agent.V1.Agent.AgentClient client, ExecuteRequest request, CancellationToken cancellationToken)
    {
        using var call = client.Execute(request, cancellationToken: cancellationToken);
        return await call.ResponseStream.ResultAsync(cancellationToken) ?? throw new InvalidOperationException("no result");
    }

    [Fact]
    public async Task Each_agent_pod_is_a_simulated_agent_on_its_node_address_reporting_its_image_tag()
    {
        var pods = await AgentPodsAsync();

        Assert.All(pods, p => Assert.StartsWith("sandbox-simulated://", p.Status.ContainerStatuses.Single().ContainerID, StringComparison.Ordinal));
        for (var node = 1; node <= Nodes; node++)
        {
            var info = await AgentOf(node).GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct);
            Assert.Equal(($"node-{node}", "1.4.2"), (info.Node, info.Version));
        }
        Assert.Equal(Nodes, _agents.Count);
    }

    [Fact]
    public async Task A_repeated_execute_attaches_to_the_first_and_the_latency_and_failure_rate_are_the_configured_ones()
    {
        var client = AgentOf(2);
        var first = await ExecuteAsync(client, Request("dotnet.counters", "cmd-slow", "node/node-2"), _ct);
        var again = await ExecuteAsync(client, Request("dotnet.counters", "cmd-slow", "node/node-2"), _ct);
        var recorded = await client.GetExecutionAsync(new GetExecutionRequest { CommandUid = "cmd-slow", TargetKey = "node/node-2" }, cancellationToken: _ct);

        // 400 ms configured (1 ms for other actions); a timer may fire a millisecond early by the wall clock the duration is read from.
        Assert.InRange(first.DurationMs, 395, 5000);
        Assert.Equal(first, again);
        Assert.Equal(first, recorded);
        Assert.Equal(1, _agents.Stats.Executions);
        Assert.Equal(2, _agents.Stats.ExecuteCalls);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => ExecuteAsync(client, Request("node.info", "cmd-many", $"t{i}"), _ct)));
        var failed = results.Count(r => r.Phase == ExecutionPhase.Failed);
        Assert.InRange(failed, 30, 90); // 30% of 200, by a hash of each key
        Assert.All(results.Where(r => r.Phase == ExecutionPhase.Succeeded), r => Assert.Contains("node.info on node-2 (simulated)", r.Output.ToStringUtf8(), StringComparison.Ordinal));
        Assert.All(results.Where(r => r.Phase == ExecutionPhase.Failed), r => Assert.Equal("simulated failure of node.info on node-2", r.Message));
        Assert.Equal(200, _agents.Stats.FinishedOf("cmd-many").Count);
    }

    [Fact]
    public async Task A_client_without_the_operator_identity_of_the_agents_CA_is_refused_in_the_handshake()
    {
        using var otherCa = CertificateAuthority.Create("someone-else", DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        using var stranger = otherCa.Issue(Identities.Operator, server: false, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        using var wrongIdentity = _pki.Ca.Issue(Identities.Agent, server: false, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));

        foreach (var certificate in new[] { stranger, wrongIdentity })
        {
            // The client trusts the agents' CA: only the agent's refusal can fail the call.
            using var channels = new AgentChannels(certificate, _pki.Ca.Certificate, NullLoggerFactory.Instance);
            var error = await Assert.ThrowsAsync<RpcException>(() => channels.For($"127.0.0.11:{_port}").GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct).ResponseAsync);
            GrpcAssert.RefusedAtHandshake(error);
        }
        Assert.Equal("node-1", (await AgentOf(1).GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct)).Node);
    }

    [Fact]
    public async Task Deleting_an_agent_pod_stops_its_agent_and_the_DaemonSet_brings_a_new_one()
    {
        Assert.Equal("node-3", (await AgentOf(3).GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct)).Node);
        var old = (await AgentPodsAsync()).Single(p => p.Spec.NodeName == "node-3");

        await _client.CoreV1.DeleteNamespacedPodAsync(old.Metadata.Name, "default", cancellationToken: _ct);
        await Eventually.True(async () => (await AgentPodsAsync()).All(p => p.Metadata.Uid != old.Metadata.Uid), "the old agent pod gone");
        var replaced = await Eventually.Get(async () => (await AgentPodsAsync()).SingleOrDefault(p => p.Spec.NodeName == "node-3" && p.Status?.ContainerStatuses?.SingleOrDefault()?.Ready == true), "a new ready agent on node-3");

        Assert.NotEqual(old.Metadata.Uid, replaced.Metadata.Uid);
        Assert.Equal("node-3", (await AgentOf(3).GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct)).Node);
    }

    [Fact]
    public async Task An_agent_image_that_crashes_exits_and_a_pod_without_certificates_says_why_it_cannot_run()
    {
        var crashing = AgentDaemonSet($"ops-agent:2.0.0{OpsImages.CrashesSuffix}");
        crashing.Metadata.Name = "crashing";
        crashing.Spec.Selector.MatchLabels["app"] = crashing.Spec.Template.Metadata.Labels["app"] = "crashing";
        crashing.Spec.Template.Spec.Containers[0].Env[1].Value = $"{LoopbackPorts.Free()}";
        var bare = AgentDaemonSet("ops-agent:2.0.0");
        bare.Metadata.Name = "bare";
        bare.Spec.Selector.MatchLabels["app"] = bare.Spec.Template.Metadata.Labels["app"] = "bare";
        bare.Spec.Template.Spec.Containers[0].Env.RemoveAt(4); // no Agent__CaPath
        bare.Spec.Template.Spec.Containers[0].Env[1].Value = $"{LoopbackPorts.Free()}";
        await _client.AppsV1.CreateNamespacedDaemonSetAsync(crashing, "default", cancellationToken: _ct);
        await _client.AppsV1.CreateNamespacedDaemonSetAsync(bare, "default", cancellationToken: _ct);

        async Task<V1ContainerStatus?> StatusAsync(string app) =>
            (await _client.CoreV1.ListNamespacedPodAsync("default", labelSelector: $"app={app}", cancellationToken: _ct)).Items.FirstOrDefault()?.Status?.ContainerStatuses?.SingleOrDefault();
        var crashed = await Eventually.Get(async () => await StatusAsync("crashing") is { RestartCount: > 0 } s ? s : null, "the crashing agent restarted");
        var waiting = await Eventually.Get(async () => await StatusAsync("bare") is { State.Waiting.Reason: "RunContainerError" } s ? s : null, "the agent without a CA path waiting");

        Assert.Equal(70, crashed.LastState.Terminated.ExitCode);
        Assert.Contains("Agent__CaPath", waiting.State.Waiting.Message, StringComparison.Ordinal);
        Assert.Equal(Nodes, _agents.Count);
    }
}
