using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ops.Agent.Security;

/// <summary>
/// Accepts a peer only if its certificate chains to our CA (and no other root), is valid now, is
/// meant for the peer's role (client or server authentication), and names the expected identity.
/// </summary>
public static class PeerCertificateValidator
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <param name="at">The time the certificates must be valid at; now when absent.</param>
    public static bool IsValid(X509Certificate2? peer, X509Certificate2 ca, string identity, bool peerIsServer, out string reason, DateTimeOffset? at = null)
    {
        if (peer is null)
        {
            reason = "no certificate was presented";
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (at is { } time) chain.ChainPolicy.VerificationTime = time.UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(peerIsServer ? ServerAuthentication : ClientAuthentication));
        if (!chain.Build(peer))
        {
            reason = "the certificate does not chain to the Ops CA: " + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()));
            return false;
        }
        if (!chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(ca.RawDataMemory.Span))
        {
            reason = "the certificate chains to another root";
            return false;
        }
        if (!UrisOf(peer).Contains(identity))
        {
            reason = $"the certificate does not name {identity}";
            return false;
        }
        reason = "";
        return true;
    }

    /// <summary>The URIs of the subject alternative name extension.</summary>
    public static IReadOnlyList<string> UrisOf(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (extension is null) return [];
        var uris = new List<string>();
        var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        while (reader.HasData)
        {
            var tag = reader.PeekTag();
            if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 6)))
            {
                uris.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6)));
            }
            else
            {
                reader.ReadEncodedValue();
            }
        }
        return uris;
    }
}
