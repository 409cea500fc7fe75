using Microsoft.Extensions.Time.Testing;
using Ops.Agent.Security;
using Ops.Operator.Agents.Pki;

namespace Ops.Agent.Tests.Security;

/// <summary>The memory of accepted peers answers only for the same certificate, CA, identity and role, and only while both are valid.</summary>
public sealed class ValidatedPeersTests
{
    [Fact]
    public void An_accepted_certificate_is_accepted_again_but_not_for_another_identity_role_or_CA()
    {
        var now = DateTimeOffset.UtcNow;
        using var ca = CertificateAuthority.Create("ops-ca", now.AddMinutes(-1), TimeSpan.FromDays(2));
        using var other = CertificateAuthority.Create("other-ca", now.AddMinutes(-1), TimeSpan.FromDays(2));
        using var agent = ca.Issue(Identities.Agent, server: true, now.AddMinutes(-1), TimeSpan.FromDays(1));
        var peers = new ValidatedPeers(new FakeTimeProvider(now));

        Assert.True(peers.IsValid(agent, ca.Certificate, Identities.Agent, peerIsServer: true, out _));
        Assert.True(peers.IsValid(agent, ca.Certificate, Identities.Agent, peerIsServer: true, out _));
        Assert.False(peers.IsValid(agent, ca.Certificate, Identities.Operator, peerIsServer: true, out var identity));
        Assert.False(peers.IsValid(agent, ca.Certificate, Identities.Agent, peerIsServer: false, out var role));
        Assert.False(peers.IsValid(agent, other.Certificate, Identities.Agent, peerIsServer: true, out var root));
        Assert.False(peers.IsValid(null, ca.Certificate, Identities.Agent, peerIsServer: true, out var none));

        Assert.Contains("does not name", identity, StringComparison.Ordinal);
        Assert.Contains("does not chain", role, StringComparison.Ordinal);
        Assert.Contains("does not chain", root, StringComparison.Ordinal);
        Assert.Equal("no certificate was presented", none);
    }

    [Fact]
    public void An_acceptance_is_not_remembered_past_the_certificates_expiry()
    {
        var now = DateTimeOffset.UtcNow;
        using var ca = CertificateAuthority.Create("ops-ca", now.AddMinutes(-1), TimeSpan.FromDays(2));
        using var agent = ca.Issue(Identities.Agent, server: true, now.AddMinutes(-1), TimeSpan.FromHours(1));
        var clock = new FakeTimeProvider(now);
        var peers = new ValidatedPeers(clock);
        Assert.True(peers.IsValid(agent, ca.Certificate, Identities.Agent, peerIsServer: true, out _));

        clock.Advance(TimeSpan.FromHours(2));

        // Past the window the certificate is checked again; the chain check uses the verification time it is given.
        Assert.False(peers.IsValid(agent, ca.Certificate, Identities.Agent, peerIsServer: true, out var reason));
        Assert.Contains("does not chain", reason, StringComparison.Ordinal);
    }
}
