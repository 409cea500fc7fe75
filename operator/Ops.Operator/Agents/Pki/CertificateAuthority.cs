using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ops.Agent.Security;

namespace Ops.Operator.Agents.Pki;

/// <summary>
/// The operator's CA: it issues the agents' serving certificate and the operator's client
/// certificate, each bound to its role (server or client authentication) and identity (SAN URI).
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private readonly X509Certificate2 _certificate;

    private CertificateAuthority(X509Certificate2 certificate) => _certificate = certificate;

    /// <summary>The CA certificate alone, for peers to trust.</summary>
    public X509Certificate2 Certificate => X509CertificateLoader.LoadCertificate(_certificate.RawData);

    public string CertificatePem => _certificate.ExportCertificatePem();

    public string KeyPem => PemCertificates.KeyPem(_certificate);

    public static CertificateAuthority Create(string commonName, DateTimeOffset now, TimeSpan validity)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var self = request.CreateSelfSigned(now.AddMinutes(-5), now + validity);
        return new CertificateAuthority(PemCertificates.Load(self.ExportCertificatePem(), PemCertificates.KeyPem(self)));
    }

    public static CertificateAuthority FromPem(string certificatePem, string keyPem) => new(PemCertificates.Load(certificatePem, keyPem));

    /// <summary>Issues a certificate with its private key for one identity and role (and, for a server clients reach by name or address, those too).</summary>
    public X509Certificate2 Issue(string identity, bool server, DateTimeOffset now, TimeSpan validity, IReadOnlyList<string>? dnsNames = null, IReadOnlyList<System.Net.IPAddress>? addresses = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={identity}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri(identity));
        foreach (var name in dnsNames ?? []) names.AddDnsName(name);
        foreach (var address in addresses ?? []) names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        var notAfter = now + validity < _certificate.NotAfter ? now + validity : new DateTimeOffset(_certificate.NotAfter);
        using var issued = request.Create(_certificate, now.AddMinutes(-5), notAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return PemCertificates.Load(withKey.ExportCertificatePem(), PemCertificates.KeyPem(withKey));
    }

    public void Dispose() => _certificate.Dispose();
}
