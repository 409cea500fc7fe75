using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Ops.Agent.Security;

namespace Ops.Operator.Agents.Pki;

/// <summary>
/// Makes sure the CA Secret exists (created on first start; when two replicas race, the one whose
/// create lands wins and the other adopts it) and that the agents' serving Secret holds a certificate
/// from that CA that is not about to expire; then issues the operator's client certificate.
/// </summary>
public sealed class PkiBootstrapper(IKubernetes client, PkiOptions options, TimeProvider clock, ILogger<PkiBootstrapper> logger)
{
    public async Task<OperatorPki> EnsureAsync(CancellationToken cancellationToken)
    {
        var ca = await EnsureCaAsync(cancellationToken);
        await EnsureAgentSecretAsync(ca, cancellationToken);
        await PublishCaAsync(ca, cancellationToken);
        var clientCertificate = ca.Issue(Identities.Operator, server: false, clock.GetUtcNow(), options.ClientValidity);
        return new OperatorPki(ca.Certificate, clientCertificate, ca);
    }

    private async Task<CertificateAuthority> EnsureCaAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var existing = await ReadSecretAsync(options.CaSecretName, cancellationToken);
            if (existing is not null) return CertificateAuthority.FromPem(Text(existing, "tls.crt"), Text(existing, "tls.key"));

            var created = CertificateAuthority.Create("ops-ca", clock.GetUtcNow(), options.CaValidity);
            try
            {
                await client.CoreV1.CreateNamespacedSecretAsync(TlsSecret(options.CaSecretName, created.CertificatePem, created.KeyPem, null), options.Namespace, cancellationToken: cancellationToken);
                AgentsLog.CaCreated(logger, options.Namespace, options.CaSecretName);
                return created;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // Another replica created it first: adopt theirs.
                created.Dispose();
            }
        }
    }

    private async Task EnsureAgentSecretAsync(CertificateAuthority ca, CancellationToken cancellationToken)
    {
        // Another replica may write the Secret between our read and our write: a conflict means read again.
        for (var attempt = 1; ; attempt++)
        {
            var existing = await ReadSecretAsync(options.AgentSecretName, cancellationToken);
            var reason = existing is null ? "missing" : Problem(existing, ca);
            if (reason is null) return;

            using var serving = ca.Issue(Identities.Agent, server: true, clock.GetUtcNow(), options.AgentValidity);
            var secret = TlsSecret(options.AgentSecretName, serving.ExportCertificatePem(), PemCertificates.KeyPem(serving), ca.CertificatePem);
            try
            {
                if (existing is null)
                {
                    await client.CoreV1.CreateNamespacedSecretAsync(secret, options.Namespace, cancellationToken: cancellationToken);
                }
                else
                {
                    secret.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
                    await client.CoreV1.ReplaceNamespacedSecretAsync(secret, options.AgentSecretName, options.Namespace, cancellationToken: cancellationToken);
                }
                AgentsLog.AgentCertificateIssued(logger, options.Namespace, options.AgentSecretName, reason);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < 5)
            {
                AgentsLog.AgentSecretChanged(logger);
            }
        }
    }

    /// <summary>
    /// The CA's certificate (never its key) in a ConfigMap of the same name, for whoever downloads artifacts over TLS
    /// (curl --cacert) without the right to read Secrets.
    /// </summary>
    private async Task PublishCaAsync(CertificateAuthority ca, CancellationToken cancellationToken)
    {
        var map = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = options.CaSecretName, NamespaceProperty = options.Namespace, Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "ops" } },
            Data = new Dictionary<string, string> { ["ca.crt"] = ca.CertificatePem },
        };
        try
        {
            var existing = await client.CoreV1.ReadNamespacedConfigMapAsync(options.CaSecretName, options.Namespace, cancellationToken: cancellationToken);
            if (existing.Data is { } data && data.TryGetValue("ca.crt", out var published) && published == ca.CertificatePem) return;
            map.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await client.CoreV1.ReplaceNamespacedConfigMapAsync(map, options.CaSecretName, options.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            try
            {
                await client.CoreV1.CreateNamespacedConfigMapAsync(map, options.Namespace, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException conflict) when (conflict.Response.StatusCode == HttpStatusCode.Conflict)
            {
                return; // another replica published it
            }
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return; // another replica replaced it meanwhile, with the same CA
        }
        AgentsLog.CaPublished(logger, options.Namespace, options.CaSecretName);
    }

    /// <summary>Why the agent Secret must be re-issued, or null when it is good.</summary>
    private string? Problem(V1Secret secret, CertificateAuthority ca)
    {
        try
        {
            using var certificate = PemCertificates.LoadCertificate(Text(secret, "tls.crt"));
            using var trusted = ca.Certificate;
            if (!PeerCertificateValidator.IsValid(certificate, trusted, Identities.Agent, peerIsServer: true, out var invalid)) return invalid;
            if (Text(secret, "ca.crt") != ca.CertificatePem) return "its ca.crt is not the current CA";
            if (certificate.NotAfter.ToUniversalTime() - clock.GetUtcNow().UtcDateTime < options.RenewBefore) return $"it expires {certificate.NotAfter:O}";
            return null;
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or KeyNotFoundException or ArgumentException)
        {
            return "it does not hold a readable certificate";
        }
    }

    private async Task<V1Secret?> ReadSecretAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedSecretAsync(name, options.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private V1Secret TlsSecret(string name, string certificatePem, string keyPem, string? caPem)
    {
        var data = new Dictionary<string, byte[]>
        {
            ["tls.crt"] = Encoding.UTF8.GetBytes(certificatePem),
            ["tls.key"] = Encoding.UTF8.GetBytes(keyPem),
        };
        if (caPem is not null) data["ca.crt"] = Encoding.UTF8.GetBytes(caPem);
        return new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = options.Namespace, Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "ops" } },
            Type = "kubernetes.io/tls",
            Data = data,
        };
    }

    private static string Text(V1Secret secret, string key) => Encoding.UTF8.GetString(secret.Data[key]);
}
