using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ops.Operator.Agents.Pki;

namespace Ops.Sandbox.Tests.Admission;

/// <summary>
/// An admission webhook server for the tests: HTTPS on 127.0.0.1 with a certificate of its own CA (for 127.0.0.1 and
/// the service names given), answering each AdmissionReview with what <see cref="Decide"/> says and keeping the requests.
/// </summary>
internal sealed class TestWebhook : IAsyncDisposable
{
    private readonly WebApplication _app;

    public CertificateAuthority Ca { get; }

    public ConcurrentQueue<JsonObject> Requests { get; } = new();

    /// <summary>From the review's request to the response's fields besides uid (allowed, status, patchType, patch).</summary>
    public Func<JsonObject, JsonObject> Decide { get; set; } = _ => new JsonObject { ["allowed"] = true };

    public int Port { get; private set; }

    /// <summary>The Ops CA's bundle of this server, as a webhook configuration's caBundle holds it.</summary>
    public string CaBundle => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Ca.CertificatePem));

    private TestWebhook(CertificateAuthority ca, WebApplication app) => (Ca, _app) = (ca, app);

    public static async Task<TestWebhook> StartAsync(params string[] dnsNames)
    {
        var ca = CertificateAuthority.Create("test-webhook-ca", DateTimeOffset.UtcNow.AddMinutes(-5), TimeSpan.FromDays(1));
        var certificate = ca.Issue("spiffe://ops.test/webhook", server: true, DateTimeOffset.UtcNow.AddMinutes(-5), TimeSpan.FromDays(1), dnsNames, [IPAddress.Loopback]);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var webhook = new TestWebhook(ca, app);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            var review = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
            var request = review["request"]!.AsObject();
            webhook.Requests.Enqueue(request);
            var response = webhook.Decide(request);
            response["uid"] = (string?)request["uid"];
            return Results.Json(new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["response"] = response });
        });
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        webhook.Port = new Uri(addresses.First()).Port;
        return webhook;
    }

    public static JsonObject Deny(string message, int code = 403) => new() { ["allowed"] = false, ["status"] = new JsonObject { ["code"] = code, ["message"] = message } };

    public static JsonObject Patch(string jsonPatch) => new()
    {
        ["allowed"] = true, ["patchType"] = "JSONPatch", ["patch"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(jsonPatch)),
    };

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Ca.Dispose();
    }
}
