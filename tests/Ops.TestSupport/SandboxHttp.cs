using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Ops.Sandbox.Hosting;

namespace Ops.TestSupport;

/// <summary>A raw HTTPS client for the sandbox that trusts only its CA, for requests no client library would send.</summary>
public static class SandboxHttp
{
    public static HttpClient Create(SandboxServer server, string? token = null, bool authenticate = true)
    {
        var ca = X509Certificate2.CreateFromPem(server.CaPem);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
        var client = new HttpClient(handler, disposeHandler: true) { BaseAddress = server.Url };
        if (authenticate) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? server.Token);
        return client;
    }
}
