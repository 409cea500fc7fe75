using System.Security.Cryptography.X509Certificates;

namespace Ops.Agent.Security;

/// <summary>Certificates and keys as PEM text, as they travel in Secrets and mounted files.</summary>
public static class PemCertificates
{
    /// <summary>A certificate with its private key, usable by Kestrel and SslStream.</summary>
    public static X509Certificate2 Load(string certificatePem, string keyPem)
    {
        using var ephemeral = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        // A PKCS#12 round trip gives a key the TLS stack can use on every platform.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    public static X509Certificate2 LoadFiles(string certificatePath, string keyPath) =>
        Load(File.ReadAllText(certificatePath), File.ReadAllText(keyPath));

    public static X509Certificate2 LoadCertificate(string certificatePem) => X509Certificate2.CreateFromPem(certificatePem);

    public static string KeyPem(X509Certificate2 certificate) =>
        (certificate.GetECDsaPrivateKey()?.ExportPkcs8PrivateKeyPem() ?? certificate.GetRSAPrivateKey()?.ExportPkcs8PrivateKeyPem())
        ?? throw new InvalidOperationException("the certificate has no private key");
}
