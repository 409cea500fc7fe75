using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.Agent.Security;
using Ops.Agent.V1;
using Ops.Operator.Agents;
using Ops.Operator.Agents.Pki;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Security;

/// <summary>Real gRPC over TLS sockets: only the operator's certificate opens an agent, and the operator trusts only real agents.</summary>
public sealed class MutualTlsTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private static V1.Agent.AgentClient RawClient(string address, X509Certificate2? clientCertificate, X509Certificate2 trustedCa)
    {
        var handler = new SocketsHttpHandler();
        if (clientCertificate is not null) handler.SslOptions.ClientCertificates = [clientCertificate];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            PeerCertificateValidator.IsValid(certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), trustedCa, Identities.Agent, true, out _);
        return new V1.Agent.AgentClient(GrpcChannel.ForAddress($"https://{address}", new GrpcChannelOptions { HttpHandler = handler }));
    }

    [Fact]
    public async Task The_operator_certificate_is_accepted()
    {
        using var pki = TestPki.Create();
        await using var agent = await TestAgent.StartAsync(pki);
        using var channels = new AgentChannels(pki.OperatorCertificate, pki.Ca.Certificate, NullLoggerFactory.Instance);

        var info = await channels.For(agent.Address).GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct);

        Assert.Equal("node-a", info.Node);
        Assert.Equal("1.2.3", info.Version);
        Assert.Contains("agent.selftest", info.Actions);
        await channels.For(agent.Address).GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct);
        Assert.Equal(1, channels.Count);
    }

    public static TheoryData<string> RefusedClients => ["none", "self-signed", "another CA", "our CA but the agent identity", "our CA, operator identity, server-only usage"];

    [Theory]
    [MemberData(nameof(RefusedClients))]
    public async Task An_agent_refuses_every_other_client(string client)
    {
        using var pki = TestPki.Create();
        await using var agent = await TestAgent.StartAsync(pki);
        using var rogue = CertificateAuthority.Create("rogue", DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        using var rogueSelf = CertificateAuthority.Create(Identities.Operator, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        X509Certificate2? certificate = client switch
        {
            "none" => null,
            "self-signed" => rogueSelf.Issue(Identities.Operator, server: false, DateTimeOffset.UtcNow, TimeSpan.FromDays(1)),
            "another CA" => rogue.Issue(Identities.Operator, server: false, DateTimeOffset.UtcNow, TimeSpan.FromDays(1)),
            "our CA but the agent identity" => pki.Ca.Issue(Identities.Agent, server: false, DateTimeOffset.UtcNow, TimeSpan.FromDays(1)),
            _ => pki.Ca.Issue(Identities.Operator, server: true, DateTimeOffset.UtcNow, TimeSpan.FromDays(1)),
        };

        // The control: the same raw client, with the operator's own certificate, gets in; so a refusal below is the certificate's doing.
        var genuine = await RawClient(agent.Address, pki.OperatorCertificate, pki.Ca.Certificate).GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct);
        Assert.Equal("node-a", genuine.Node);

        var error = await Assert.ThrowsAsync<RpcException>(() => RawClient(agent.Address, certificate, pki.Ca.Certificate).GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct).ResponseAsync);

        GrpcAssert.RefusedAtHandshake(error);
        // The agent keeps serving its real operator.
        using var channels = new AgentChannels(pki.OperatorCertificate, pki.Ca.Certificate, NullLoggerFactory.Instance);
        Assert.Equal("node-a", (await channels.For(agent.Address).GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct)).Node);
    }

    [Fact]
    public async Task An_agent_refuses_plaintext()
    {
        using var pki = TestPki.Create();
        await using var agent = await TestAgent.StartAsync(pki);
        var plain = new V1.Agent.AgentClient(GrpcChannel.ForAddress($"http://{agent.Address}"));

        var error = await Assert.ThrowsAsync<RpcException>(() => plain.GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct).ResponseAsync);

        GrpcAssert.RefusedAtHandshake(error);
    }

    [Theory]
    [InlineData("another CA")]
    [InlineData("our CA but the operator identity")]
    public async Task The_operator_refuses_an_agent_with_a_wrong_certificate(string agentCertificate)
    {
        using var pki = TestPki.Create();
        using var rogue = CertificateAuthority.Create("rogue", DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        var serving = agentCertificate == "another CA"
            ? rogue.Issue(Identities.Agent, server: true, DateTimeOffset.UtcNow, TimeSpan.FromDays(1))
            : pki.Ca.Issue(Identities.Operator, server: true, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        var (certificatePath, keyPath) = pki.WriteServing(serving, "impostor");
        await using var impostor = await TestAgent.StartAsync(certificatePath, keyPath, pki.CaPath);
        await using var genuine = await TestAgent.StartAsync(pki);
        using var channels = new AgentChannels(pki.OperatorCertificate, pki.Ca.Certificate, NullLoggerFactory.Instance);
        // The control: the same channels reach an agent whose certificate is right.
        Assert.Equal("node-a", (await channels.For(genuine.Address).GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct)).Node);

        var error = await Assert.ThrowsAsync<RpcException>(() => channels.For(impostor.Address).GetInfoAsync(new GetInfoRequest(), cancellationToken: _ct).ResponseAsync);

        GrpcAssert.RefusedAtHandshake(error);
    }
}
