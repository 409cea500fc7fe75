using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Informers;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.ControllerRuntime.Tests.Informers;

public sealed class ResourceInformerTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private static readonly InformerOptions Fast = new() { MinBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1) };

    private static Widget NewWidget(string name) => Widget.Named(name);

    private static GenericClient Widgets(IKubernetes client) => Widget.Client(client);

    private static SandboxOptions Options(SandboxOptions? options = null) => (options ?? new SandboxOptions()) with { ManifestDirectories = [Widget.Manifests] };

    private sealed class Running<T>(ResourceInformer<T> informer, CancellationTokenSource stop, Task run) : IAsyncDisposable where T : IKubernetesObject<V1ObjectMeta>
    {
        public ResourceInformer<T> Informer => informer;
        public ConcurrentQueue<string> Events { get; } = new();

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await run;
            stop.Dispose();
        }
    }

    private async Task<Running<Widget>> StartAsync(IResourceSource<Widget> source, InformerOptions options)
    {
        var informer = new ResourceInformer<Widget>(source, options, TimeProvider.System, NullLogger.Instance);
        var stop = new CancellationTokenSource();
        var running = new Running<Widget>(informer, stop, Task.Run(() => informer.RunAsync(stop.Token), _ct));
        informer.Subscribe(e => running.Events.Enqueue($"{e.Type}:{e.Object.Metadata.Name}"));
        await informer.ReadyAsync(_ct).WaitAsync(Timeouts.Eventually, _ct);
        return running;
    }

    [Fact]
    public async Task Lists_then_watches_and_reports_every_change_in_order()
    {
        await using var sandbox = await SandboxFixture.StartAsync(applyCrds: false, options: Options());
        using var client = SandboxFixture.CreateClient(sandbox);
        await Widgets(client).CreateNamespacedAsync(NewWidget("a"), "default", _ct);
        await using var running = await StartAsync(ResourceSources.Custom<Widget>(client), Fast);

        await Widgets(client).CreateNamespacedAsync(NewWidget("b"), "default", _ct);
        await Widgets(client).PatchNamespacedAsync<Widget>(new V1Patch("""{"spec":{"size":3}}""", V1Patch.PatchType.MergePatch), "default", "a", _ct);
        await Widgets(client).DeleteNamespacedAsync<Widget>("default", "b", _ct);

        await Eventually.True(() => Task.FromResult(running.Events.Count >= 4), "four events");
        Assert.Equal(["Added:a", "Added:b", "Modified:a", "Deleted:b"], running.Events);
        Assert.True(running.Informer.TryGet(new NamespacedName("default", "a"), out var cached));
        Assert.Equal(3, cached.Spec.Size);
        Assert.False(running.Informer.TryGet(new NamespacedName("default", "b"), out _));
    }

    [Fact]
    public async Task Re_lists_on_410_and_reports_what_changed_while_it_was_away()
    {
        await using var sandbox = await SandboxFixture.StartAsync(applyCrds: false, options: Options(new SandboxOptions { HistoryCapacity = 5 }));
        using var client = SandboxFixture.CreateClient(sandbox);
        await Widgets(client).CreateNamespacedAsync(NewWidget("old"), "default", _ct);
        var gated = new GatedSource<Widget>(ResourceSources.Custom<Widget>(client));
        await using var running = await StartAsync(gated, Fast with { WatchTimeout = TimeSpan.FromSeconds(1) });

        gated.Close();
        await Eventually.True(() => Task.FromResult(gated.Waiting == 1), "the informer to be between watches");
        for (var i = 0; i < 10; i++) await Widgets(client).CreateNamespacedAsync(NewWidget($"new-{i}"), "default", _ct);
        await Widgets(client).DeleteNamespacedAsync<Widget>("default", "old", _ct);
        gated.Open();

        await Eventually.True(() => Task.FromResult(running.Informer.Items.Count == 10 && running.Events.Contains("Deleted:old")), "the re-list");
        Assert.Equal(2, running.Informer.Relists);
        Assert.Equal(10, running.Events.Count(e => e.StartsWith("Added:new-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_quiet_watch_is_restarted_and_the_old_connection_is_closed()
    {
        await using var sandbox = await SandboxFixture.StartAsync(applyCrds: false, options: Options(new SandboxOptions { BookmarkInterval = TimeSpan.FromHours(1) }));
        using var client = SandboxFixture.CreateClient(sandbox);
        await using var running = await StartAsync(ResourceSources.Custom<Widget>(client), Fast with { IdleTimeout = TimeSpan.FromMilliseconds(300) });

        await Eventually.True(() => Task.FromResult(running.Informer.WatchStarts >= 5), "several watch restarts");
        await Eventually.True(() => Task.FromResult(sandbox.OpenWatches <= 2), "old watch connections to be closed (one is the sandbox's own)");

        await Widgets(client).CreateNamespacedAsync(NewWidget("after-restarts"), "default", _ct);
        await Eventually.True(() => Task.FromResult(running.Events.Contains("Added:after-restarts")), "the informer to still see changes");
        Assert.Equal(1, running.Informer.Relists);
    }

    [Fact]
    public async Task Survives_an_API_server_restart()
    {
        var port = Ops.Sandbox.Hosting.LoopbackPorts.Free();
        var data = TestWorkspace.CreateDirectory("informer-data-");
        var options = Options(new SandboxOptions { Port = port, DataDirectory = data });
        var first = await SandboxFixture.StartAsync(options, applyCrds: false);
        using var client = SandboxFixture.CreateClient(first);
        await using var running = await StartAsync(ResourceSources.Custom<Widget>(client), Fast);
        await Widgets(client).CreateNamespacedAsync(NewWidget("before"), "default", _ct);
        await Eventually.True(() => Task.FromResult(running.Events.Contains("Added:before")), "the first object");

        await first.DisposeAsync();
        await using var second = await SandboxFixture.StartAsync(options, applyCrds: false);
        await Widgets(client).CreateNamespacedAsync(NewWidget("after"), "default", _ct);

        await Eventually.True(() => Task.FromResult(running.Events.Contains("Added:after")), "the informer to resume after the restart");
        Assert.True(running.Informer.TryGet(new NamespacedName("default", "before"), out _));
    }

    [Fact]
    public async Task A_short_outage_after_a_long_one_costs_the_least_backoff_not_the_one_the_long_outage_reached()
    {
        await using var sandbox = await SandboxFixture.StartAsync(applyCrds: false, options: Options());
        using var client = SandboxFixture.CreateClient(sandbox);
        await using var running = await StartAsync(ResourceSources.Custom<Widget>(client), Fast with { MaxBackoff = TimeSpan.FromSeconds(8) });

        // Tries 0.1, 0.2, 0.4, 0.8, 1.6 and 3.2 s apart fail: the next delay would be about 6.4 s (7 s seen without the reset).
        await sandbox.RestartApiAsync(TimeSpan.FromSeconds(4), _ct);
        await Widgets(client).CreateNamespacedAsync(NewWidget("after-the-long-outage"), "default", _ct);
        await Eventually.True(() => Task.FromResult(running.Events.Contains("Added:after-the-long-outage")), "the informer back after the long outage");

        await sandbox.RestartApiAsync(TimeSpan.FromMilliseconds(100), _ct);
        var back = System.Diagnostics.Stopwatch.StartNew();
        await Widgets(client).CreateNamespacedAsync(NewWidget("after-the-short-outage"), "default", _ct);
        await Eventually.True(() => Task.FromResult(running.Events.Contains("Added:after-the-short-outage")), "the informer back after the short outage");
        Assert.True(back.Elapsed < TimeSpan.FromSeconds(2), $"seen {back.Elapsed.TotalSeconds:0.0} s after the short outage: the long outage's backoff was kept");
    }
}
