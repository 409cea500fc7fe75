using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.Agent.Security;
using Ops.Operator.Agents.Pki;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Operator.Tests.Agents;

public sealed class PkiBootstrapperTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private SandboxServer _sandbox = null!;
    private Kubernetes _client = null!;
    private static readonly PkiOptions Options = new() { Namespace = "ops-system" };

    public async ValueTask InitializeAsync()
    {
        _sandbox = await SandboxFixture.StartAsync(new SandboxOptions());
        _client = SandboxFixture.CreateClient(_sandbox);
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "ops-system" } }, cancellationToken: _ct);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _sandbox.DisposeAsync();
    }

    private PkiBootstrapper Bootstrapper(TimeProvider? clock = null) => new(_client, Options, clock ?? TimeProvider.System, NullLogger<PkiBootstrapper>.Instance);

    private async Task<string> SecretTextAsync(string name, string key) =>
        Encoding.UTF8.GetString((await _client.CoreV1.ReadNamespacedSecretAsync(name, "ops-system", cancellationToken: _ct)).Data[key]);

    [Fact]
    public async Task The_first_start_creates_the_CA_and_an_agent_certificate_that_chains_to_it()
    {
        var pki = await Bootstrapper().EnsureAsync(_ct);

        var caPem = await SecretTextAsync("ops-ca", "tls.crt");
        using var agent = PemCertificates.LoadCertificate(await SecretTextAsync("ops-agent-tls", "tls.crt"));
        Assert.Equal(caPem, await SecretTextAsync("ops-agent-tls", "ca.crt"));
        Assert.True(PeerCertificateValidator.IsValid(agent, pki.Ca, Identities.Agent, peerIsServer: true, out var agentProblem), agentProblem);
        Assert.True(PeerCertificateValidator.IsValid(pki.ClientCertificate, pki.Ca, Identities.Operator, peerIsServer: false, out var clientProblem), clientProblem);
        Assert.True(pki.ClientCertificate.HasPrivateKey);
    }

    [Fact]
    public async Task Replicas_share_one_CA_even_when_they_start_together_and_a_good_agent_secret_is_kept()
    {
        var first = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Bootstrapper().EnsureAsync(_ct)));
        var agentSecret = await _client.CoreV1.ReadNamespacedSecretAsync("ops-agent-tls", "ops-system", cancellationToken: _ct);

        var again = await Bootstrapper().EnsureAsync(_ct);

        Assert.All(first, p => Assert.Equal(first[0].Ca.RawData, p.Ca.RawData));
        Assert.Equal(first[0].Ca.RawData, again.Ca.RawData);
        var after = await _client.CoreV1.ReadNamespacedSecretAsync("ops-agent-tls", "ops-system", cancellationToken: _ct);
        Assert.Equal(agentSecret.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task An_agent_secret_from_another_CA_or_close_to_expiry_is_reissued()
    {
        await Bootstrapper().EnsureAsync(_ct);
        using var rogue = CertificateAuthority.Create("rogue", DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        using var foreign = rogue.Issue(Identities.Agent, server: true, DateTimeOffset.UtcNow, TimeSpan.FromDays(300));
        var secret = await _client.CoreV1.ReadNamespacedSecretAsync("ops-agent-tls", "ops-system", cancellationToken: _ct);
        secret.Data["tls.crt"] = Encoding.UTF8.GetBytes(foreign.ExportCertificatePem());
        await _client.CoreV1.ReplaceNamespacedSecretAsync(secret, "ops-agent-tls", "ops-system", cancellationToken: _ct);

        var pki = await Bootstrapper().EnsureAsync(_ct);
        using (var reissued = PemCertificates.LoadCertificate(await SecretTextAsync("ops-agent-tls", "tls.crt")))
        {
            Assert.True(PeerCertificateValidator.IsValid(reissued, pki.Ca, Identities.Agent, peerIsServer: true, out _));
        }

        var beforeExpiry = await SecretTextAsync("ops-agent-tls", "tls.crt");
        var nearExpiry = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromDays(340));
        await Bootstrapper(nearExpiry).EnsureAsync(_ct);
        Assert.NotEqual(beforeExpiry, await SecretTextAsync("ops-agent-tls", "tls.crt"));
    }
}
