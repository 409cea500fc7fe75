using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Admission;

/// <summary>
/// Sends an AdmissionReview to a webhook's clientConfig, over HTTPS only, verifying the server's certificate against
/// the configuration's caBundle (the machine's roots when it has none) and its name: the URL's host, or
/// SERVICE.NAMESPACE.svc for a service reference. A service is reached at a ready pod it selects, on the target port
/// of the service port named (443 by default), as kube-proxy would route it. Connections are kept and reused, as an
/// API server's are: a handshake per review would cost both ends more than the review.
/// </summary>
internal sealed class WebhookCaller(ObjectStore store) : IDisposable
{
    /// <summary>More distinct destinations than this (webhooks moved between pods many times) and the idle clients are dropped.</summary>
    private const int MaxClients = 32;

    // As an API server keeps connections to its webhooks: one client (and its pooled TLS connections) per destination and trust.
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);

    public async Task<JsonNode?> CallAsync(JsonObject clientConfig, JsonObject review, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (url, endpoint) = Destination(clientConfig);
        var http = Client(url, endpoint, (string?)clientConfig["caBundle"] ?? "", timeout);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var content = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json");
        try
        {
            using var response = await http.PostAsync(url, content, deadline.Token);
            if (!response.IsSuccessStatusCode) throw new HttpRequestException($"the server responded with status {(int)response.StatusCode}");
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(deadline.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {timeout.TotalSeconds:0.#}s");
        }
    }

    private HttpClient Client(Uri url, IPEndPoint? endpoint, string caBundle, TimeSpan connectTimeout)
    {
        var key = $"{url.Scheme}://{url.Authority}|{endpoint}|{caBundle}";
        if (_clients.TryGetValue(key, out var existing)) return existing;
        if (_clients.Count >= MaxClients)
        {
            foreach (var stale in _clients.Keys.ToList())
            {
                if (_clients.TryRemove(stale, out var dropped)) dropped.Dispose();
            }
        }
        var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, ConnectTimeout = connectTimeout, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90) };
        var trusted = Bundle(caBundle);
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate as X509Certificate2, errors, trusted);
        if (endpoint is not null)
        {
            handler.ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(endpoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        if (_clients.TryAdd(key, client)) return client;
        client.Dispose();
        return _clients[key];
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values) client.Dispose();
        _clients.Clear();
    }

    private (Uri Url, IPEndPoint? Endpoint) Destination(JsonObject clientConfig)
    {
        if ((string?)clientConfig["url"] is { Length: > 0 } text)
        {
            var url = new Uri(text);
            if (url.Scheme != "https") throw new InvalidOperationException($"webhook URL {text} is not https");
            return (url, null);
        }
        var service = clientConfig["service"] as JsonObject ?? throw new InvalidOperationException("the clientConfig has neither url nor service");
        var (ns, name) = ((string?)service["namespace"] ?? "", (string?)service["name"] ?? "");
        var port = (int?)service["port"] ?? 443;
        var path = (string?)service["path"] ?? "/";
        return (new Uri($"https://{name}.{ns}.svc:{port}{path}"), Endpoint(ns, name, port));
    }

    /// <summary>A ready pod of the service, at the target port of its port <paramref name="port"/>.</summary>
    private IPEndPoint Endpoint(string ns, string name, int port)
    {
        var snapshot = store.Snapshot();
        var service = snapshot.Of("services").GetValueOrDefault(StoredObject.KeyOf(ns, name))?.Parse()
            ?? throw new InvalidOperationException($"service \"{name}\" not found");
        var servicePort = (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(p => (int?)p["port"] == port)
            ?? throw new InvalidOperationException($"service {ns}/{name} has no port {port}");
        var selector = service["spec"]?["selector"] as JsonObject ?? [];
        foreach (var pod in snapshot.Of("pods").Values.Where(p => p.Namespace == ns && !p.IsDeleting && selector.All(s => p.Labels.GetValueOrDefault(s.Key) == (string?)s.Value)))
        {
            var obj = pod.Parse();
            var ready = (obj["status"]?["conditions"] as JsonArray ?? []).Any(c => (string?)c?["type"] == "Ready" && (string?)c?["status"] == "True");
            if (!ready || !IPAddress.TryParse((string?)obj["status"]?["podIP"], out var ip)) continue;
            if (TargetPort(servicePort, obj) is { } target) return new IPEndPoint(ip, target);
        }
        throw new InvalidOperationException($"no endpoints available for service \"{name}\"");
    }

    private static int? TargetPort(JsonObject servicePort, JsonObject pod)
    {
        var target = servicePort["targetPort"] ?? servicePort["port"];
        if (target is JsonValue value && value.TryGetValue<int>(out var number)) return number;
        var named = (string?)target;
        return (pod["spec"]?["containers"] as JsonArray ?? []).SelectMany(c => c?["ports"] as JsonArray ?? [])
            .Where(p => (string?)p?["name"] == named).Select(p => (int?)p?["containerPort"]).FirstOrDefault();
    }

    private static X509Certificate2Collection? Bundle(string encoded)
    {
        if (encoded.Length == 0) return null;
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
        return bundle;
    }

    private static bool Trusted(X509Certificate2? certificate, SslPolicyErrors errors, X509Certificate2Collection? bundle)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) return false;
        if (bundle is null) return errors == SslPolicyErrors.None;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(bundle);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
