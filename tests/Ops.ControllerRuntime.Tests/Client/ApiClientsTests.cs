using System.Net;
using k8s;
using Ops.ControllerRuntime.Client;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.ControllerRuntime.Tests.Client;

public sealed class ApiClientsTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_on_a_connection_the_server_went_silent_on_fails_after_the_ping_timeout_not_the_request_timeout()
    {
        await using var sandbox = await SandboxFixture.StartAsync(new SandboxOptions(), applyCrds: false);
        await using var proxy = new FaultyProxy(new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, sandbox.Url.Port));
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(sandbox.KubeconfigPath);
        config.Host = $"https://127.0.0.1:{proxy.Endpoint.Port}";
        config.HttpClientTimeout = TimeSpan.FromSeconds(60);
        using var client = ApiClients.Create(config, pingDelay: TimeSpan.FromSeconds(1), pingTimeout: TimeSpan.FromSeconds(1));
        await client.CoreV1.ListNamespaceAsync(cancellationToken: _ct);

        // The server's side goes silent (no reset, no FIN), as a dropped route or a frozen server does.
        proxy.Stall();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.CoreV1.ListNamespaceAsync(cancellationToken: _ct));
        Assert.True(error is HttpRequestException or IOException, $"{error.GetType().Name}: {error.Message}");
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(10));
        proxy.Resume();
    }
}
