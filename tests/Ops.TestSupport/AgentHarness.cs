using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.Agent.V1;
using Ops.Operator.Agents;

namespace Ops.TestSupport;

/// <summary>A test PKI, the operator's channels, and in-process agents started on demand; disposes them all.</summary>
public sealed class AgentHarness : IAsyncDisposable
{
    private readonly List<TestAgent> _agents = [];

    public TestPki Pki { get; } = TestPki.Create();

    public AgentChannels Channels { get; }

    public AgentHarness() => Channels = new AgentChannels(Pki.OperatorCertificate, Pki.Ca.Certificate, NullLoggerFactory.Instance);

    public async Task<TestAgent> StartAgentAsync(string? dataDirectory = null, string procRoot = "/proc", IReadOnlyDictionary<string, string?>? settings = null)
    {
        var agent = await TestAgent.StartAsync(Pki, dataDirectory, procRoot, settings);
        _agents.Add(agent);
        return agent;
    }

    public static ExecuteRequest Request(string action, Target? target = null, string uid = "uid-1", string key = "t", int timeout = 30, int delayMs = 0, params (string Name, string Value)[] parameters)
    {
        var request = new ExecuteRequest { CommandUid = uid, TargetKey = key, Action = action, TimeoutSeconds = timeout, StartDelayMs = delayMs, Target = target ?? new Target { Node = true } };
        foreach (var (name, value) in parameters) request.Parameters[name] = value;
        return request;
    }

    /// <summary>Calls Execute and reads the stream to its result.</summary>
    public async Task<ExecutionResult> ExecuteAsync(TestAgent agent, ExecuteRequest request, CancellationToken cancellationToken)
    {
        using var call = Channels.For(agent.Address).Execute(request, cancellationToken: cancellationToken);
        return await call.ResponseStream.ResultAsync(cancellationToken) ?? throw new InvalidOperationException("the stream ended without a result");
    }

    public async ValueTask DisposeAsync()
    {
        Channels.Dispose();
        foreach (var agent in _agents) await agent.DisposeAsync();
        Pki.Dispose();
    }
}
