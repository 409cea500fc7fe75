using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.Agent.Security;
using Ops.Agent.Services;

namespace Ops.Agent.Hosting;

/// <summary>
/// Builds the agent's web host: gRPC over HTTP/2 with TLS, where a client must present a
/// certificate that chains to the Ops CA and names the operator; anything else is refused during the
/// handshake, before any request is read.
/// </summary>
public static class AgentHost
{
    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null, Action<ILoggingBuilder>? logging = null)
    {
        // Settings come from the environment and arguments, never from a file edited at run time: no
        // file watcher, so an agent holds no inotify instance (a node's limit is often 128 per user).
        var builder = WebApplication.CreateSlimBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
        // Probes and scrapes are not news: ASP.NET Core's line per request starts at Warning. Beneath every other
        // source, so Logging__LogLevel__Microsoft.AspNetCore (the chart's logLevel values) still sets it.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = [new("Logging:LogLevel:Microsoft.AspNetCore", "Warning")] });
        configure?.Invoke(builder.Configuration);
        if (logging is not null)
        {
            builder.Logging.ClearProviders();
            logging(builder.Logging);
        }
        builder.Services.AddOpsAgent();
        var options = builder.Configuration.GetSection(AgentOptions.Section).Get<AgentOptions>() ?? new AgentOptions();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var logger = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Ops.Agent.Tls");
            var peers = new ValidatedPeers(kestrel.ApplicationServices.GetRequiredService<TimeProvider>());
            var (ca, certificate) = AgentCertificates.Load(options);
            // Checked before the listeners are made from them (the host checks them only later): a port of -1 would
            // otherwise end the process with an unhandled exception instead of naming the setting.
            if (new DataAnnotationValidateOptions<AgentOptions>(null).Validate(null, options) is { Failed: true } invalid)
            {
                throw new OptionsValidationException(AgentOptions.Section, typeof(AgentOptions), invalid.Failures);
            }
            kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    ClientCertificateValidation = (peer, _, _) =>
                    {
                        if (peers.IsValid(peer, ca, Identities.Operator, peerIsServer: false, out var reason)) return true;
                        AgentLog.ClientRefused(logger, reason, peer?.Subject);
                        return false;
                    },
                });
            });
            // Prometheus scrapes without a client certificate: a port of its own, HTTP/1.1 only (gRPC needs
            // HTTP/2), that answers /metrics and nothing else.
            if (options.MetricsPort > 0) kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.MetricsPort, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        if (options.MetricsPort > 0)
        {
            app.UseWhen(http => http.Connection.LocalPort == options.MetricsPort, metricsPort => metricsPort.Run(async http =>
            {
                if (http.Request.Path != "/metrics")
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }
                http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await http.RequestServices.GetRequiredService<Metrics.AgentMetrics>().ExportAsync(http.Response.Body, http.RequestAborted);
            }));
        }
        app.MapGrpcService<AgentService>();
        app.MapGrpcHealthChecksService();
        return app;
    }
}
