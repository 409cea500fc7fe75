using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ops.Operator.Hosting;

/// <summary>Builds the operator's host: the controllers in the background; /healthz, /readyz and /metrics over HTTP, artifact downloads and admission reviews over HTTPS.</summary>
public static class OperatorHost
{
    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null, Action<IServiceCollection>? services = null, Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // Probes and scrapes are not news: ASP.NET Core's line per request starts at Warning. Beneath every other
        // source, so Logging__LogLevel__Microsoft.AspNetCore (the chart's logLevel values) still sets it.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = [new("Logging:LogLevel:Microsoft.AspNetCore", "Warning")] });
        configure?.Invoke(builder.Configuration);
        if (logging is not null)
        {
            builder.Logging.ClearProviders();
            logging(builder.Logging);
        }
        services?.Invoke(builder.Services);
        builder.Services.AddOpsOperator();
        var options = builder.Configuration.GetSection(OperatorOptions.Section).Get<OperatorOptions>() ?? new OperatorOptions();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.Port);
            // Artifact downloads carry a user's bearer token: only over TLS, with a certificate of the Ops CA.
            var serving = kestrel.ApplicationServices.GetRequiredService<Artifacts.ArtifactServingCertificate>();
            kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.ArtifactsPort, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificateSelector = (_, _) => serving.Current(),
            }));
        });
        var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        app.MapGet("/metrics", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await http.RequestServices.GetRequiredService<Metrics.OperatorMetrics>().ExportAsync(http.Response.Body, http.RequestAborted);
        });
        app.MapGet("/readyz", () => Worker(app).Ready.IsCompletedSuccessfully ? Results.Text("ok") : Results.Text("not leading", statusCode: 503));
        // Only the leader knows where the agents are; a follower says so rather than guess.
        app.MapGet("/artifacts/{ns}/{command}/{name}", (HttpContext http, string ns, string command, string name) =>
            !http.Request.IsHttps
                ? Results.Text($"artifacts are downloaded over TLS only: https://HOST:{options.ArtifactsPort}/artifacts/{ns}/{command}/{name}\n", statusCode: 403).ExecuteAsync(http)
                : Worker(app).Ready.IsCompletedSuccessfully
                    ? http.RequestServices.GetRequiredService<Artifacts.ArtifactDownloads>().HandleAsync(http, ns, command, name)
                    : Results.Text("this replica is not leading; ask the leading one\n", statusCode: 503).ExecuteAsync(http));
        // Admission reviews come from the API server over TLS; only the leader has the caches a verdict reads.
        var admission = app.Services.GetRequiredService<Admission.AdmissionEndpoints>();
        app.MapPost(Admission.AdmissionEndpoints.ValidatePath, (HttpContext http) => Admitting(app, http, admission.ValidateAsync));
        app.MapPost(Admission.AdmissionEndpoints.MutatePath, (HttpContext http) => Admitting(app, http, admission.MutateAsync));
        return app;
    }

    private static Task Admitting(WebApplication app, HttpContext http, Func<HttpContext, Task> handle) =>
        !http.Request.IsHttps ? Results.Text("admission reviews are served over TLS only\n", statusCode: 403).ExecuteAsync(http)
            : Worker(app).Ready.IsCompletedSuccessfully ? handle(http)
            : Results.Text("this replica is not leading\n", statusCode: 503).ExecuteAsync(http);

    public static OperatorWorker Worker(IHost host) => host.Services.GetServices<IHostedService>().OfType<OperatorWorker>().Single();
}
