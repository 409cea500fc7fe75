using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ops.Sandbox.Security;

/// <summary>
/// The sandbox's own CA and the API server's serving certificate (SANs 127.0.0.1, ::1, localhost),
/// kept in the data directory when there is one so a restarted sandbox keeps its kubeconfig valid.
/// </summary>
internal sealed class SandboxCertificates : IDisposable
{
    private SandboxCertificates(X509Certificate2 ca, X509Certificate2 server)
    {
        Ca = ca;
        Server = server;
    }

    public X509Certificate2 Ca { get; }
    public X509Certificate2 Server { get; }
    public string CaPem => Ca.ExportCertificatePem();

    public static SandboxCertificates LoadOrCreate(string? directory, TimeProvider clock)
    {
        if (directory is not null && File.Exists(Path.Combine(directory, "ca.crt")) && File.Exists(Path.Combine(directory, "server.pem")))
        {
            var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(directory, "ca.crt")));
            var serverPem = File.ReadAllText(Path.Combine(directory, "server.pem"));
            return new SandboxCertificates(ca, Exportable(X509Certificate2.CreateFromPem(serverPem, serverPem)));
        }
        var created = Create(clock);
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "ca.crt"), created.CaPem);
            using var key = created.Server.GetECDsaPrivateKey()!;
            File.WriteAllText(Path.Combine(directory, "server.pem"), created.Server.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
        }
        return created;
    }

    private static SandboxCertificates Create(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=ops-sandbox-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(5));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=ops-sandbox-apiserver", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = serverRequest.Create(ca, now.AddMinutes(-5), now.AddYears(2), serial);
        using var withKey = signed.CopyWithPrivateKey(serverKey);
        return new SandboxCertificates(X509CertificateLoader.LoadCertificate(ca.Export(X509ContentType.Cert)), Exportable(withKey));
    }

    // Kestrel on Linux wants a certificate whose key came from a PKCS#12 import.
    private static X509Certificate2 Exportable(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
    }
}
