using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ops.Agent.Executions;
using Ops.Agent.Hosting;

namespace Ops.TestSupport;

/// <summary>A real agent server in this process, on a free port of a loopback address, with TLS files of the caller's choosing.</summary>
public sealed class TestAgent : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestAgent(WebApplication app, string address, string dataDirectory)
    {
        _app = app;
        Address = address;
        DataDirectory = dataDirectory;
    }

    /// <summary>host:port to dial.</summary>
    public string Address { get; }
    public string DataDirectory { get; }
    public ExecutionManager Executions => _app.Services.GetRequiredService<ExecutionManager>();
    public Ops.Agent.Actions.ActionCatalog Actions => _app.Services.GetRequiredService<Ops.Agent.Actions.ActionCatalog>();
    public Ops.Agent.Watches.CounterWatches Watches => _app.Services.GetRequiredService<Ops.Agent.Watches.CounterWatches>();

    public static async Task<TestAgent> StartAsync(string certificatePath, string keyPath, string caPath, string? dataDirectory = null, string node = "node-a", string listen = "127.0.0.1", string procRoot = "/proc",
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        dataDirectory ??= TestWorkspace.CreateDirectory("agent-");
        var all = AgentSettings.For(node, listen, 0, certificatePath, keyPath, caPath, dataDirectory, settings);
        all["Agent:Version"] = "1.2.3";
        all["Agent:ProcRoot"] = procRoot;
        var app = AgentHost.Build([], configuration => configuration.AddInMemoryCollection(all), logging => logging.AddSimpleConsole().SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Error));
        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new TestAgent(app, $"{listen}:{bound.Port}", dataDirectory);
    }

    public static Task<TestAgent> StartAsync(TestPki pki, string? dataDirectory = null, string procRoot = "/proc", IReadOnlyDictionary<string, string?>? settings = null) =>
        StartAsync(pki.AgentCertificatePath, pki.AgentKeyPath, pki.CaPath, dataDirectory, procRoot: procRoot, settings: settings);

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
