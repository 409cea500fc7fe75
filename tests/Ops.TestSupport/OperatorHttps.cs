using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using k8s;
using Ops.Demo;

namespace Ops.TestSupport;

/// <summary>An HTTPS client for an operator pod's artifact port that trusts only the Ops CA (ConfigMap ops-ca), as curl --cacert would.</summary>
public static class OperatorHttps
{
    public static Task<HttpClient> CreateAsync(DemoCluster cluster, string podIp, CancellationToken cancellationToken) =>
        CreateAsync(cluster, new Uri($"https://{podIp}:{cluster.ArtifactsPort}/"), cancellationToken);

    /// <summary>The same, for another address of the artifact port (localhost through kubectl port-forward).</summary>
    public static async Task<HttpClient> CreateAsync(DemoCluster cluster, Uri baseAddress, CancellationToken cancellationToken)
    {
        var published = await Eventually.Get(async () =>
        {
            try
            {
                return (await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("ops-ca", DemoCluster.OpsNamespace, cancellationToken: cancellationToken)).Data["ca.crt"];
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return null;
            }
        }, "the Ops CA in ConfigMap ops-ca");
        var ca = X509Certificate2.CreateFromPem(published);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            // The name must match (the pod's address is in the certificate); the chain must end at the Ops CA.
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        return new HttpClient(handler) { BaseAddress = baseAddress };
    }
}
