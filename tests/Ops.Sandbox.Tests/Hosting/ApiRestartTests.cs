using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Hosting;

/// <summary>A played restart of the API server: what its clients see, and what it keeps.</summary>
public sealed class ApiRestartTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_restart_cuts_open_watches_refuses_connections_while_down_and_keeps_the_objects_but_not_the_history()
    {
        await using var sandbox = await SandboxFixture.StartAsync(new SandboxOptions(), applyCrds: false);
        using var client = SandboxFixture.CreateClient(sandbox);
        var before = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "kept" } }, "default", cancellationToken: _ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "later" } }, "default", cancellationToken: _ct);
        using var http = SandboxHttp.Create(sandbox);
        // Watching from before "later": its event comes at once, so the watch is open and streaming.
        using var watch = await http.GetAsync($"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={before.Metadata.ResourceVersion}", HttpCompletionOption.ResponseHeadersRead, _ct);
        var line = new StreamReader(await watch.Content.ReadAsStreamAsync(_ct));
        Assert.Contains("\"later\"", await line.ReadLineAsync(_ct).AsTask().WaitAsync(Timeouts.WatchEvent, _ct));

        var restart = sandbox.RestartApiAsync(TimeSpan.FromSeconds(2), _ct);

        // The open watch ends with its connection, not cleanly.
        await Assert.ThrowsAnyAsync<IOException>(async () => await line.ReadLineAsync(_ct).AsTask().WaitAsync(Timeouts.WatchEvent, _ct));
        // While down, a request fails at the connection: SocketsHttpHandler wraps most transport errors in an
        // HttpRequestException, but a connection reset just after connecting comes as a bare SocketException.
        var down = await Assert.ThrowsAnyAsync<Exception>(() => client.CoreV1.ReadNamespacedConfigMapAsync("kept", "default", cancellationToken: _ct));
        Assert.True(down is HttpRequestException or System.Net.Sockets.SocketException, $"{down.GetType().Name}: {down.Message}");
        await restart;

        // Back: the objects are there; a watch resumed from before the restart gets 410 Expired (the history is gone), so the client lists again.
        Assert.Equal(before.Metadata.Uid, (await client.CoreV1.ReadNamespacedConfigMapAsync("kept", "default", cancellationToken: _ct)).Metadata.Uid);
        using var resumed = await http.GetAsync($"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={before.Metadata.ResourceVersion}", HttpCompletionOption.ResponseHeadersRead, _ct);
        using var reader = new StreamReader(await resumed.Content.ReadAsStreamAsync(_ct));
        var error = JsonDocument.Parse((await reader.ReadLineAsync(_ct).AsTask().WaitAsync(Timeouts.WatchEvent, _ct))!).RootElement;
        Assert.Equal("ERROR", error.GetProperty("type").GetString());
        Assert.Equal(410, error.GetProperty("object").GetProperty("code").GetInt32());
        var list = await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: _ct);
        Assert.Equal(["kept", "kube-root-ca.crt", "later"], list.Items.Select(c => c.Metadata.Name).Order());
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
    }
}
