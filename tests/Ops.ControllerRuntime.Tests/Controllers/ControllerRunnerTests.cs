using System.Collections.Concurrent;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Informers;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.ControllerRuntime.Tests.Controllers;

public sealed class ControllerRunnerTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    /// <summary>What the test reconciler saw, shared across the scopes the runner creates.</summary>
    private sealed class Recorder
    {
        public ConcurrentQueue<string> Reconciled { get; } = new();
        public Func<NamespacedName, int, Task<ReconcileResult>> Behaviour { get; set; } = (_, _) => Task.FromResult(ReconcileResult.Done);
        public ConcurrentDictionary<NamespacedName, int> Counts { get; } = new();
        public int InFlight;
        public int MaxInFlight;
        public int SameKeyOverlaps;
        public ConcurrentDictionary<NamespacedName, byte> Active { get; } = new();
    }

    private sealed class RecordingReconciler(Recorder recorder) : IReconciler<Widget>
    {
        public async Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken)
        {
            if (!recorder.Active.TryAdd(key, 0)) Interlocked.Increment(ref recorder.SameKeyOverlaps);
            var inFlight = Interlocked.Increment(ref recorder.InFlight);
            int max;
            while (inFlight > (max = recorder.MaxInFlight) && Interlocked.CompareExchange(ref recorder.MaxInFlight, inFlight, max) != max) { }
            try
            {
                var count = recorder.Counts.AddOrUpdate(key, 1, (_, c) => c + 1);
                recorder.Reconciled.Enqueue(key.Name);
                return await recorder.Behaviour(key, count);
            }
            finally
            {
                Interlocked.Decrement(ref recorder.InFlight);
                recorder.Active.TryRemove(key, out _);
            }
        }
    }

    private sealed class Harness(SandboxServer sandbox, Kubernetes client, ControllerRunner<Widget> runner, Recorder recorder,
        CancellationTokenSource stop, Task running) : IAsyncDisposable
    {
        public Kubernetes Client => client;
        public Recorder Recorder => recorder;
        public ControllerRunner<Widget> Runner => runner;
        public GenericClient Widgets => Widget.Client(client);

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await running;
            runner.Dispose();
            client.Dispose();
            await sandbox.DisposeAsync();
        }
    }

    private async Task<Harness> StartAsync(ControllerOptions options, Action<Recorder>? configure = null)
    {
        var sandbox = await SandboxFixture.StartAsync(new SandboxOptions { ManifestDirectories = [Widget.Manifests] }, applyCrds: false);
        var client = SandboxFixture.CreateClient(sandbox);
        var recorder = new Recorder();
        configure?.Invoke(recorder);
        var services = new ServiceCollection().AddSingleton(recorder).AddScoped<IReconciler<Widget>, RecordingReconciler>().BuildServiceProvider();
        var informer = new ResourceInformer<Widget>(ResourceSources.Custom<Widget>(client), new InformerOptions(), TimeProvider.System, NullLogger.Instance);
        var runner = new ControllerRunner<Widget>(informer, services.GetRequiredService<IServiceScopeFactory>(), options, TimeProvider.System, NullLogger.Instance);
        var stop = new CancellationTokenSource();
        var running = Task.WhenAll(Task.Run(() => informer.RunAsync(stop.Token), _ct), Task.Run(() => runner.RunAsync(stop.Token), _ct));
        return new Harness(sandbox, client, runner, recorder, stop, running);
    }

    private static Widget NewWidget(string name) => Widget.Named(name);

    /// <summary>
    /// Shows that nothing more was enqueued so far: a new object's event comes after every earlier one from the one watch,
    /// and with a single worker the queue hands keys out in order, so once it is reconciled any earlier key was too.
    /// </summary>
    private static async Task SentinelAsync(Harness harness, string name)
    {
        await harness.Widgets.CreateNamespacedAsync(NewWidget(name), "default", TestContext.Current.CancellationToken);
        await Eventually.True(() => Task.FromResult(harness.Recorder.Reconciled.Contains(name)), $"the sentinel {name} to be reconciled");
    }

    [Fact]
    public async Task Spec_changes_reconcile_and_status_only_changes_do_not()
    {
        await using var harness = await StartAsync(new ControllerOptions { Concurrency = 1 });
        await harness.Widgets.CreateNamespacedAsync(NewWidget("a"), "default", _ct);
        await Eventually.True(() => Task.FromResult(harness.Recorder.Reconciled.Count == 1), "the first reconcile");

        await harness.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(JsonSerializer.Serialize(new { status = new { phase = "Running" } }), V1Patch.PatchType.MergePatch),
            Widget.Group, Widget.Version, "default", Widget.Plural, "a", cancellationToken: _ct);
        await SentinelAsync(harness, "after-status");
        Assert.Equal(["a", "after-status"], harness.Recorder.Reconciled);

        await harness.Widgets.PatchNamespacedAsync<Widget>(new V1Patch("""{"spec":{"size":1}}""", V1Patch.PatchType.MergePatch), "default", "a", _ct);
        await Eventually.True(() => Task.FromResult(harness.Recorder.Reconciled.Count == 3), "a reconcile for the spec change");

        await harness.Widgets.DeleteNamespacedAsync<Widget>("default", "a", _ct);
        await Eventually.True(() => Task.FromResult(harness.Recorder.Reconciled.Count == 4), "a reconcile for the deletion");
        Assert.Equal(["a", "after-status", "a", "a"], harness.Recorder.Reconciled);
    }

    [Fact]
    public async Task A_trigger_annotation_change_reconciles_and_other_annotations_do_not()
    {
        await using var harness = await StartAsync(new ControllerOptions { TriggerAnnotations = ["example.dev/approved"], Concurrency = 1 });
        await harness.Widgets.CreateNamespacedAsync(NewWidget("a"), "default", _ct);
        await Eventually.True(() => Task.FromResult(harness.Recorder.Reconciled.Count == 1), "the first reconcile");

        await harness.Widgets.PatchNamespacedAsync<Widget>(new V1Patch("""{"metadata":{"annotations":{"note":"x"}}}""", V1Patch.PatchType.MergePatch), "default", "a", _ct);
        await SentinelAsync(harness, "after-note");
        Assert.Equal(["a", "after-note"], harness.Recorder.Reconciled);

        await harness.Widgets.PatchNamespacedAsync<Widget>(new V1Patch("""{"metadata":{"annotations":{"example.dev/approved":"1"}}}""", V1Patch.PatchType.MergePatch), "default", "a", _ct);
        await Eventually.True(() => Task.FromResult(harness.Recorder.Reconciled.Count == 3), "a reconcile for the approval");
    }

    [Fact]
    public async Task A_failing_reconcile_is_retried_with_backoff_until_it_succeeds()
    {
        var baseDelay = TimeSpan.FromMilliseconds(10);
        await using var harness = await StartAsync(new ControllerOptions { RetryBaseDelay = baseDelay }, r => r.Behaviour = (_, attempt) =>
            attempt < 4 ? throw new InvalidOperationException($"transient failure {attempt}") : Task.FromResult(ReconcileResult.Done));

        await harness.Widgets.CreateNamespacedAsync(NewWidget("flaky"), "default", _ct);

        await Eventually.True(() => Task.FromResult(harness.Recorder.Counts.GetValueOrDefault(new NamespacedName("default", "flaky")) == 4), "four attempts");
        // A fifth attempt (a success retried as a failure) would come after the next backoff, 10 ms x 2^4: wait six times that.
        await Task.Delay(baseDelay * 16 * 6, _ct);
        Assert.Equal(4, harness.Recorder.Counts[new NamespacedName("default", "flaky")]);
    }

    [Fact]
    public async Task RequeueAfter_brings_the_key_back()
    {
        await using var harness = await StartAsync(new ControllerOptions(), r => r.Behaviour = (_, attempt) =>
            Task.FromResult(attempt < 3 ? ReconcileResult.After(TimeSpan.FromMilliseconds(100)) : ReconcileResult.Done));

        await harness.Widgets.CreateNamespacedAsync(NewWidget("timer"), "default", _ct);

        await Eventually.True(() => Task.FromResult(harness.Recorder.Counts.GetValueOrDefault(new NamespacedName("default", "timer")) == 3), "three reconciles");
    }

    [Fact]
    public async Task A_deleted_objects_key_leaves_nothing_waiting_in_the_queue()
    {
        // As a finished command asks to come back when its TTL (a day) runs out; once gone, it asks for nothing.
        await using var harness = await StartAsync(new ControllerOptions(), r => r.Behaviour = (_, attempt) =>
            Task.FromResult(attempt == 1 ? ReconcileResult.After(TimeSpan.FromDays(1)) : ReconcileResult.Done));
        await harness.Widgets.CreateNamespacedAsync(NewWidget("ttl"), "default", _ct);
        await Eventually.True(() => Task.FromResult(harness.Runner.Waiting == 1), "the key to wait a day");

        await harness.Widgets.DeleteNamespacedAsync<Widget>("default", "ttl", _ct);

        // Reconciled once more for the deletion, and its day-long timer is gone (with thousands of commands a day, they added up).
        await Eventually.True(() => Task.FromResult(harness.Recorder.Counts.GetValueOrDefault(new NamespacedName("default", "ttl")) == 2), "the reconcile of the deletion");
        Assert.Equal(0, harness.Runner.Waiting);
    }

    [Fact]
    public async Task Concurrency_is_bounded_and_one_key_is_never_reconciled_twice_at_once()
    {
        await using var harness = await StartAsync(new ControllerOptions { Concurrency = 3 }, r => r.Behaviour = async (_, _) =>
        {
            // Longer than creating all the objects takes, so the workers really overlap.
            await Task.Delay(300);
            return ReconcileResult.Done;
        });
        for (var i = 0; i < 12; i++) await harness.Widgets.CreateNamespacedAsync(NewWidget($"c{i}"), "default", _ct);
        for (var i = 0; i < 20; i++) harness.Runner.Enqueue(new NamespacedName("default", "c0"));

        await Eventually.True(() => Task.FromResult(harness.Recorder.Counts.Count == 12 && harness.Runner.QueueDepth == 0 && harness.Recorder.InFlight == 0), "every key reconciled");
        Assert.Equal(3, harness.Recorder.MaxInFlight);
        Assert.Equal(0, harness.Recorder.SameKeyOverlaps);
    }
}
