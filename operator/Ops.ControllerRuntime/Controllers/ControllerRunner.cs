using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Informers;
using Ops.ControllerRuntime.Queues;

namespace Ops.ControllerRuntime.Controllers;

/// <summary>
/// Runs one kind's reconciler: informer events become keys in a de-duplicating work queue, and a
/// fixed number of workers reconcile them, each in a fresh DI scope, retrying failures with backoff.
/// Status-only changes (same generation, no deletion) do not enqueue: a controller writing its own
/// status must not wake itself.
/// </summary>
public sealed class ControllerRunner<T> : IController, IDisposable where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly ResourceInformer<T> _informer;
    private readonly IServiceScopeFactory _scopes;
    private readonly ControllerOptions _options;
    private readonly ILogger _logger;
    private readonly WorkQueue<NamespacedName> _queue;
    private readonly ConcurrentDictionary<NamespacedName, (long? Generation, bool Deleting, string Annotations)> _seen = new();

    public ControllerRunner(ResourceInformer<T> informer, IServiceScopeFactory scopes, ControllerOptions options, TimeProvider clock, ILogger logger)
    {
        _informer = informer;
        _scopes = scopes;
        _options = options;
        _logger = logger;
        _queue = new WorkQueue<NamespacedName>(clock, options.RetryBaseDelay, options.RetryMaxDelay, options.RetriesPerSecond, burst: Math.Max(10, options.Concurrency * 2));
        informer.Subscribe(OnChange);
        _kind = typeof(T).GetCustomAttributes(typeof(KubernetesEntityAttribute), false).OfType<KubernetesEntityAttribute>().FirstOrDefault()?.Kind ?? typeof(T).Name;
        options.Metrics?.ObserveQueue(_kind, () => (_queue.Depth, _queue.Waiting));
    }

    private readonly string _kind;

    public string Kind => _kind;

    public int QueueDepth => _queue.Depth;

    /// <summary>Keys waiting to come back at a time of their own (requeue-after, backoff).</summary>
    public int Waiting => _queue.Waiting;

    /// <summary>Asks for a reconcile of the key now (another controller or a timer decided it is due).</summary>
    public void Enqueue(NamespacedName key) => _queue.Add(key);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await _informer.ReadyAsync(cancellationToken);
        var workers = Enumerable.Range(0, _options.Concurrency).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None));
        await Task.WhenAll(workers);
    }

    private void OnChange(ResourceEvent<T> change)
    {
        var key = NamespacedName.Of(change.Object);
        if (change.Type == WatchEventType.Deleted)
        {
            // Gone from the API: one last reconcile, and nothing of it waits in the queue (a TTL timer of a day, a backoff).
            _seen.TryRemove(key, out _);
            _queue.Drop(key);
            _queue.Add(key);
            return;
        }
        var annotations = change.Object.Metadata.Annotations;
        var triggers = string.Join('\n', _options.TriggerAnnotations.Select(a => annotations?.TryGetValue(a, out var v) == true ? v : ""));
        var now = (change.Object.Metadata.Generation, change.Object.Metadata.DeletionTimestamp is not null, triggers);
        var before = _seen.TryGetValue(key, out var seen) ? seen : ((long?)null, false, "");
        _seen[key] = now;
        if (change.Type == WatchEventType.Added || now != before) _queue.Add(key);
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            NamespacedName key;
            try
            {
                key = await _queue.TakeAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var watch = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                using var scope = _logger.BeginScope(new Dictionary<string, object> { ["Kind"] = typeof(T).Name, ["Key"] = key.ToString() });
                await using var services = _scopes.CreateAsyncScope();
                var result = await services.ServiceProvider.GetRequiredService<IReconciler<T>>().ReconcileAsync(key, cancellationToken);
                _queue.Forget(key);
                _queue.Reschedule(key, result.RequeueAfter);
                Record(succeeded: true, watch);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                RuntimeLog.ReconcileFailed(_logger, typeof(T).Name, key, _queue.Failures(key) + 1, e);
                _queue.AddRateLimited(key);
                Record(succeeded: false, watch);
            }
            finally
            {
                _queue.Done(key);
            }
        }
    }

    private void Record(bool succeeded, System.Diagnostics.Stopwatch watch) => _options.Metrics?.ReconcileFinished(_kind, succeeded, watch.Elapsed);

    public void Dispose() => _queue.Dispose();
}
