using System.Security.Cryptography.X509Certificates;
using Ops.Agent.Security;
using Ops.Operator.Agents.Pki;

namespace Ops.TestSupport;

/// <summary>A CA with an operator client certificate and agent serving files, in a temp directory.</summary>
public sealed class TestPki : IDisposable
{
    private static readonly TimeSpan Validity = TimeSpan.FromDays(2);

    private TestPki(string directory, CertificateAuthority ca)
    {
        Directory = directory;
        Ca = ca;
        CaPath = Path.Combine(directory, "ca.crt");
        File.WriteAllText(CaPath, ca.CertificatePem);
        OperatorCertificate = ca.Issue(Identities.Operator, server: false, DateTimeOffset.UtcNow, Validity);
        (AgentCertificatePath, AgentKeyPath) = WriteServing(ca.Issue(Identities.Agent, server: true, DateTimeOffset.UtcNow, Validity), "agent");
    }

    public string Directory { get; }
    public CertificateAuthority Ca { get; }
    public string CaPath { get; }
    public X509Certificate2 OperatorCertificate { get; }
    public string AgentCertificatePath { get; }
    public string AgentKeyPath { get; }

    public static TestPki Create(string name = "ops-test-ca") =>
        new(TestWorkspace.CreateDirectory("pki-"), CertificateAuthority.Create(name, DateTimeOffset.UtcNow, Validity));

    /// <summary>Writes a serving certificate and key as PEM files, for an agent to load.</summary>
    public (string CertificatePath, string KeyPath) WriteServing(X509Certificate2 certificate, string name)
    {
        var certificatePath = Path.Combine(Directory, $"{name}.crt");
        var keyPath = Path.Combine(Directory, $"{name}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, PemCertificates.KeyPem(certificate));
        return (certificatePath, keyPath);
    }

    public void Dispose()
    {
        Ca.Dispose();
        OperatorCertificate.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
