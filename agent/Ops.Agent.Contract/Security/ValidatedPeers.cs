using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ops.Agent.Security;

/// <summary>
/// <see cref="PeerCertificateValidator"/> with a memory of the certificates it accepted. Every agent
/// of a fleet presents the same certificate (one Secret for the DaemonSet) and every agent sees the
/// one operator certificate, so without it each of thousands of handshakes builds the same chain
/// again. A verdict depends only on the certificate, the CA, the identity, the role and the time, so
/// an acceptance is remembered for exactly those and only while both certificates are valid; a
/// refusal is never remembered (it is logged each time, and costs the one who sends bad certificates).
/// </summary>
public sealed class ValidatedPeers(TimeProvider clock)
{
    private readonly ConcurrentDictionary<(string Peer, string Ca, string Identity, bool PeerIsServer), (DateTime NotBefore, DateTime NotAfter)> _accepted = new();

    public bool IsValid(X509Certificate2? peer, X509Certificate2 ca, string identity, bool peerIsServer, out string reason)
    {
        var at = clock.GetUtcNow();
        if (peer is null) return PeerCertificateValidator.IsValid(peer, ca, identity, peerIsServer, out reason, at);
        var now = at.UtcDateTime;
        var key = (Convert.ToHexString(peer.GetCertHash(HashAlgorithmName.SHA256)), Convert.ToHexString(ca.GetCertHash(HashAlgorithmName.SHA256)), identity, peerIsServer);
        reason = "";
        if (_accepted.TryGetValue(key, out var window) && now >= window.NotBefore && now < window.NotAfter) return true;
        if (!PeerCertificateValidator.IsValid(peer, ca, identity, peerIsServer, out reason, at)) return false;
        // Few certificates and CAs ever pass here; re-issued ones take the place of expired ones.
        foreach (var expired in _accepted.Where(e => now >= e.Value.NotAfter).Select(e => e.Key).ToList()) _accepted.TryRemove(expired, out _);
        _accepted[key] = (Later(peer.NotBefore, ca.NotBefore), Earlier(peer.NotAfter, ca.NotAfter));
        return true;
    }

    private static DateTime Later(DateTime a, DateTime b) => a.ToUniversalTime() > b.ToUniversalTime() ? a.ToUniversalTime() : b.ToUniversalTime();

    private static DateTime Earlier(DateTime a, DateTime b) => a.ToUniversalTime() < b.ToUniversalTime() ? a.ToUniversalTime() : b.ToUniversalTime();
}
