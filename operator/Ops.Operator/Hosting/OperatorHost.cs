using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ops.Operator.Hosting;

/// <summary>Builds the operator's host: the controllers in the background, /healthz and /readyz over HTTP.</summary>
public static class OperatorHost
{
    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null, Action<IServiceCollection>? services = null, Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder.Configuration);
        if (logging is not null)
        {
            builder.Logging.ClearProviders();
            logging(builder.Logging);
        }
        services?.Invoke(builder.Services);
        builder.Services.AddOpsOperator();
        var options = builder.Configuration.GetSection(OperatorOptions.Section).Get<OperatorOptions>() ?? new OperatorOptions();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.Port));
        var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        app.MapGet("/readyz", () => Worker(app).Ready.IsCompletedSuccessfully ? Results.Text("ok") : Results.Text("not leading", statusCode: 503));
        return app;
    }

    public static OperatorWorker Worker(IHost host) => host.Services.GetServices<IHostedService>().OfType<OperatorWorker>().Single();
}
