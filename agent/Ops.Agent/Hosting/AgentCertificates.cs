using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ops.Agent.Security;

namespace Ops.Agent.Hosting;

/// <summary>
/// The agent's serving certificate and the CA it trusts, read from the files its Secret is mounted as.
/// A missing, empty or unreadable file ends start-up with one line that names the setting and the file.
/// </summary>
internal sealed record AgentCertificates(X509Certificate2 Ca, X509Certificate2 Serving)
{
    public static AgentCertificates Load(AgentOptions options)
    {
        Require(options.CaPath, "CaPath", "the CA certificate that signs the operator's client certificate");
        Require(options.CertificatePath, "CertificatePath", "the agent's serving certificate");
        Require(options.KeyPath, "KeyPath", "the serving certificate's private key");
        try
        {
            return new AgentCertificates(X509CertificateLoader.LoadCertificateFromFile(options.CaPath), PemCertificates.LoadFiles(options.CertificatePath, options.KeyPath));
        }
        catch (CryptographicException e)
        {
            throw new IOException($"the certificate files ({options.CaPath}, {options.CertificatePath}, {options.KeyPath}) could not be read as a certificate and its key: {e.Message}", e);
        }
    }

    private static void Require(string path, string setting, string what)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new IOException($"{AgentOptions.Section}:{setting} is not set ({what})");
        if (!File.Exists(path)) throw new IOException($"{AgentOptions.Section}:{setting}: {path} does not exist ({what}; is the agent's Secret mounted?)");
    }
}
