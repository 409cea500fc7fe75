using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Informers;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.ControllerRuntime.Tests.Informers;

public sealed class WatchStreamTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cancelling_a_quiet_watch_closes_its_connection_on_the_server()
    {
        await using var sandbox = await SandboxFixture.StartAsync(new SandboxOptions { BookmarkInterval = TimeSpan.FromHours(1) });
        using var client = SandboxFixture.CreateClient(sandbox);
        var list = await client.CoreV1.ListNamespaceAsync(cancellationToken: _ct);
        var before = sandbox.OpenWatches;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        var events = 0;
        var opened = false;

        var watching = Task.Run(async () =>
        {
            await foreach (var _ in WatchStream.ReadAsync<V1Namespace>(client, "api/v1/namespaces", new WatchQuery(list.Metadata.ResourceVersion, 600), () => opened = true, e => throw e, stop.Token))
            {
                events++;
            }
        }, _ct);
        await Eventually.True(() => Task.FromResult(sandbox.OpenWatches == before + 1), "the watch to be open on the server");
        await Eventually.True(() => Task.FromResult(Volatile.Read(ref opened)), "the watch to report itself opened before any event");
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
        await Eventually.True(() => Task.FromResult(sandbox.OpenWatches == before), "the server's watch to end long before its 600 s timeout", TimeSpan.FromSeconds(5));
        Assert.Equal(0, events);
    }

    [Fact]
    public async Task A_refused_watch_throws_the_servers_status()
    {
        await using var sandbox = await SandboxFixture.StartAsync(new SandboxOptions());
        using var client = SandboxFixture.CreateClient(sandbox);

        var opened = false;
        var error = await Assert.ThrowsAsync<KubernetesException>(async () =>
        {
            await foreach (var _ in WatchStream.ReadAsync<V1Namespace>(client, "apis/nothing.example.com/v1/things", new WatchQuery("1", 10), () => opened = true, e => throw e, _ct))
            {
            }
        });

        Assert.Equal(404, error.Status.Code);
        Assert.False(opened);
    }
}
