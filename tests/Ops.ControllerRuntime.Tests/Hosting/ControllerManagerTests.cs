using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Hosting;
using Ops.ControllerRuntime.Informers;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.ControllerRuntime.Tests.Hosting;

/// <summary>What a controller declares in its Setup is what wakes it, once registered with one call and run by the manager.</summary>
public sealed class ControllerManagerTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private SandboxServer _sandbox = null!;
    private Kubernetes _client = null!;

    public async ValueTask InitializeAsync()
    {
        _sandbox = await SandboxFixture.StartAsync(new SandboxOptions { ManifestDirectories = [Widget.Manifests] }, applyCrds: false);
        _client = SandboxFixture.CreateClient(_sandbox);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _sandbox.DisposeAsync();
    }

    /// <summary>Keys reconciled, in order, whichever reconciler ran.</summary>
    public sealed class Seen
    {
        public ConcurrentQueue<NamespacedName> Keys { get; } = new();

        private int _cleanups;

        public int Cleanups => _cleanups;

        public int CountCleanup() => Interlocked.Increment(ref _cleanups);
    }

    public sealed class OwningReconciler(Seen seen) : IReconciler<Widget>, IControllerSetup<Widget>
    {
        public static void Setup(ControllerBuilder<Widget> controller) => controller.Owns<Gadget>();

        public Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken)
        {
            seen.Keys.Enqueue(key);
            return Task.FromResult(ReconcileResult.Done);
        }
    }

    public sealed class WatchingReconciler(Seen seen) : IReconciler<Widget>, IControllerSetup<Widget>
    {
        /// <summary>Any gadget named "all" wakes every widget.</summary>
        public static void Setup(ControllerBuilder<Widget> controller) => controller
            .Workers(2)
            .Watches<Gadget>((change, widgets) => change.Object.Metadata.Name == "all" ? widgets.Select(NamespacedName.Of) : []);

        public Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken)
        {
            seen.Keys.Enqueue(key);
            return Task.FromResult(ReconcileResult.Done);
        }
    }

    public sealed class RequestedReconciler(Seen seen) : IReconciler<Widget>, IControllerSetup<Widget>
    {
        public static void Setup(ControllerBuilder<Widget> controller) => controller.WakesOnRequests();

        public Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken)
        {
            seen.Keys.Enqueue(key);
            return Task.FromResult(ReconcileResult.Done);
        }
    }

    public sealed class CleaningReconciler(Seen seen) : IReconciler<Widget>, IControllerSetup<Widget>
    {
        public static void Setup(ControllerBuilder<Widget> controller) => controller.Finalizer<Cleanup>();

        public Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken)
        {
            seen.Keys.Enqueue(key);
            return Task.FromResult(ReconcileResult.Done);
        }
    }

    /// <summary>Fails its first cleanup (a retry must follow), records the second.</summary>
    public sealed class Cleanup(Seen seen) : IFinalizer<Widget>
    {
        public string Name => "example.dev/cleanup";

        public Task FinalizeAsync(Widget entity, CancellationToken cancellationToken)
        {
            if (seen.CountCleanup() == 1) throw new InvalidOperationException("not yet");
            seen.Keys.Enqueue(new NamespacedName("cleaned", entity.Metadata.Name));
            return Task.CompletedTask;
        }
    }

    public sealed class PodWatchingReconciler : IReconciler<Widget>, IControllerSetup<Widget>
    {
        public static void Setup(ControllerBuilder<Widget> controller) => controller.Watches<V1Pod>((_, widgets) => widgets.Select(NamespacedName.Of));

        public Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken) => Task.FromResult(ReconcileResult.Done);
    }

    private ServiceProvider Services(Action<IServiceCollection> register)
    {
        var services = new ServiceCollection().AddSingleton<IKubernetes>(_client).AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance).AddSingleton<Seen>();
        register(services);
        return services.BuildServiceProvider();
    }

    /// <summary>Runs the manager until disposed; returns once every informer has its first list.</summary>
    private async Task<IAsyncDisposable> RunAsync(ServiceProvider services)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        var synced = new TaskCompletionSource();
        var run = services.GetRequiredService<ControllerManager>().RunAsync(stop.Token, synced.SetResult);
        await synced.Task.WaitAsync(Timeouts.Eventually, _ct);
        return new Stopper(stop, run, services);
    }

    private sealed class Stopper(CancellationTokenSource stop, Task run, ServiceProvider services) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            try { await run; } catch (OperationCanceledException) { }
            stop.Dispose();
            await services.DisposeAsync();
        }
    }

    private Task Reconciled(Seen seen, string name, int times = 1) =>
        Eventually.True(() => Task.FromResult(seen.Keys.Count(k => k.Name == name) >= times), $"{name} reconciled {times} time(s)");

    [Fact]
    public async Task An_owned_object_changing_wakes_its_owner_and_no_other()
    {
        using var services = Services(s => s.AddController<Widget, OwningReconciler>());
        var seen = services.GetRequiredService<Seen>();
        var owner = await Widget.Client(_client).CreateNamespacedAsync(Widget.Named("owner"), "default", _ct);
        await Widget.Client(_client).CreateNamespacedAsync(Widget.Named("bystander"), "default", _ct);
        await using var running = await RunAsync(services);
        await Reconciled(seen, "owner");
        await Reconciled(seen, "bystander");

        await Gadget.Client(_client).CreateNamespacedAsync(Gadget.Named("part", owner), "default", _ct);
        await Reconciled(seen, "owner", 2);
        await Gadget.Client(_client).CreateNamespacedAsync(Gadget.Named("loose"), "default", _ct);
        await Gadget.Client(_client).PatchNamespacedAsync<Gadget>(new V1Patch("""{"spec":{"size":2}}""", V1Patch.PatchType.MergePatch), "default", "part", _ct);
        await Reconciled(seen, "owner", 3);
        Assert.Equal(1, seen.Keys.Count(k => k.Name == "bystander"));
    }

    [Fact]
    public async Task A_watch_wakes_the_keys_its_mapping_returns()
    {
        using var services = Services(s => s.AddController<Widget, WatchingReconciler>());
        var seen = services.GetRequiredService<Seen>();
        foreach (var name in new[] { "a", "b", "c" }) await Widget.Client(_client).CreateNamespacedAsync(Widget.Named(name), "default", _ct);
        await using var running = await RunAsync(services);
        foreach (var name in new[] { "a", "b", "c" }) await Reconciled(seen, name);

        await Gadget.Client(_client).CreateNamespacedAsync(Gadget.Named("none"), "default", _ct);
        await Gadget.Client(_client).CreateNamespacedAsync(Gadget.Named("all"), "default", _ct);
        foreach (var name in new[] { "a", "b", "c" }) await Reconciled(seen, name, 2);
        Assert.All(seen.Keys.GroupBy(k => k.Name), g => Assert.Equal(2, g.Count()));
    }

    [Fact]
    public async Task A_request_made_before_the_controller_starts_is_kept_not_dropped()
    {
        using var services = Services(s => s.AddController<Widget, RequestedReconciler>());
        var seen = services.GetRequiredService<Seen>();
        services.GetRequiredService<ReconcileTrigger<Widget>>().Request(new NamespacedName("default", "early"));
        await using var running = await RunAsync(services);
        await Reconciled(seen, "early");
        services.GetRequiredService<ReconcileTrigger<Widget>>().Request(new NamespacedName("default", "later"));
        await Reconciled(seen, "later");
    }

    [Fact]
    public async Task A_finalizer_class_runs_on_deletion_until_it_succeeds_then_lets_the_object_go()
    {
        using var services = Services(s => s.AddController<Widget, CleaningReconciler>());
        var seen = services.GetRequiredService<Seen>();
        var held = Widget.Named("held");
        held.Metadata.Finalizers = ["example.dev/cleanup"];
        await Widget.Client(_client).CreateNamespacedAsync(held, "default", _ct);
        await Widget.Client(_client).CreateNamespacedAsync(Widget.Named("free"), "default", _ct);
        await using var running = await RunAsync(services);
        await Reconciled(seen, "held");

        await Widget.Client(_client).DeleteNamespacedAsync<Widget>("default", "held", _ct);
        await Widget.Client(_client).DeleteNamespacedAsync<Widget>("default", "free", _ct);
        await Eventually.True(async () => (await Widget.Client(_client).ListNamespacedAsync<CustomResourceList<Widget>>("default", cancel: _ct)).Items.Count == 0, "both widgets gone");
        Assert.Equal(2, seen.Cleanups);
        Assert.Equal(["held"], seen.Keys.Where(k => k.Namespace == "cleaned").Select(k => k.Name));
    }

    [Fact]
    public void Watching_a_built_in_kind_without_a_registered_source_is_refused_at_registration()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddController<Widget, PodWatchingReconciler>());
        Assert.Contains("V1Pod is a built-in kind", error.Message);
        var services = new ServiceCollection().AddInformer(client => ResourceSources.Pods(client)).AddController<Widget, PodWatchingReconciler>();
        Assert.Equal(2, services.Count(d => d.ServiceType == typeof(IInformer)));
    }
}
