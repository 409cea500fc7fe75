using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Ops.ControllerRuntime.Client;

namespace Ops.ControllerRuntime.Informers;

/// <summary>
/// List-then-watch with a local cache, in the manner of client-go's reflector: every watch has a
/// server-side timeout and a client-side idle timeout, resumes from the last resourceVersion seen
/// (bookmarks included), re-lists on 410 Gone and reports what changed meanwhile as events, and backs
/// off with jitter on consecutive errors. Each watch is disposed before the next starts.
/// </summary>
public sealed class ResourceInformer<T>(IResourceSource<T> source, InformerOptions options, TimeProvider clock, ILogger logger) : IInformer
    where T : IKubernetesObject<V1ObjectMeta>
{
    public string Kind => source.Kind;

    private readonly ConcurrentDictionary<NamespacedName, T> _cache = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Action<ResourceEvent<T>>> _subscribers = [];
    private int _watchStarts;
    private int _relists;

    /// <summary>Watch connections opened so far (a measure of reconnects).</summary>
    public int WatchStarts => _watchStarts;

    /// <summary>Full lists made so far, the first one included.</summary>
    public int Relists => _relists;

    public void Subscribe(Action<ResourceEvent<T>> subscriber)
    {
        lock (_subscribers) _subscribers.Add(subscriber);
    }

    /// <summary>Completes once the first list is in the cache.</summary>
    public Task ReadyAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    public bool TryGet(NamespacedName key, out T value) => _cache.TryGetValue(key, out value!);

    public IReadOnlyCollection<T> Items => [.. _cache.Values];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // The backoff grows with consecutive failures only: a list that succeeded or a watch the server
        // accepted ends the run, so one short outage after another costs MinBackoff, not the delay the
        // last long one reached.
        var backoff = options.MinBackoff;
        void Recovered() => backoff = options.MinBackoff;
        string? resourceVersion = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    resourceVersion = await RelistAsync(cancellationToken);
                    Recovered();
                }
                _ready.TrySetResult();
                resourceVersion = await WatchOnceAsync(resourceVersion, Recovered, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (IsGone(e))
            {
                RuntimeLog.ResourceVersionExpired(logger, source.Kind, resourceVersion);
                resourceVersion = null;
            }
            catch (Exception e)
            {
                var delay = Jitter(backoff);
                RuntimeLog.WatchFailed(logger, source.Kind, delay, e);
                await Task.Delay(delay, clock, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.MaxBackoff.Ticks));
            }
        }
    }

    private async Task<string> RelistAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _relists);
        var fresh = new Dictionary<NamespacedName, T>();
        string? continueToken = null;
        string resourceVersion;
        do
        {
            var page = await source.ListPageAsync(continueToken, options.PageSize, cancellationToken);
            foreach (var item in page.Items) fresh[NamespacedName.Of(item)] = item;
            continueToken = page.Continue;
            resourceVersion = page.ResourceVersion;
        }
        while (!string.IsNullOrEmpty(continueToken));

        // What changed while we were not watching is reported as if we had seen it happen.
        foreach (var (key, old) in _cache)
        {
            if (!fresh.ContainsKey(key) && _cache.TryRemove(key, out _)) Publish(WatchEventType.Deleted, old);
        }
        foreach (var (key, item) in fresh)
        {
            var known = _cache.TryGetValue(key, out var old);
            _cache[key] = item;
            if (!known) Publish(WatchEventType.Added, item);
            else if (old!.Metadata.ResourceVersion != item.Metadata.ResourceVersion) Publish(WatchEventType.Modified, item);
        }
        return resourceVersion;
    }

    /// <summary>One watch connection; returns the version to resume from. Throws on 410 so the caller re-lists.</summary>
    private async Task<string> WatchOnceAsync(string resourceVersion, Action opened, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _watchStarts);
        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var idle = clock.CreateTimer(_ => stalled.Cancel(), null, options.IdleTimeout, Timeout.InfiniteTimeSpan);
        Exception? error = null;
        var timeoutSeconds = (int)(options.WatchTimeout.TotalSeconds * (0.9 + Random.Shared.NextDouble() * 0.2));
        try
        {
            await foreach (var (type, obj) in source.WatchAsync(resourceVersion, Math.Max(1, timeoutSeconds), opened, e => error = e, stalled.Token))
            {
                idle.Change(options.IdleTimeout, Timeout.InfiniteTimeSpan);
                resourceVersion = obj.Metadata?.ResourceVersion ?? resourceVersion;
                switch (type)
                {
                    case WatchEventType.Added or WatchEventType.Modified:
                        var known = _cache.ContainsKey(NamespacedName.Of(obj));
                        _cache[NamespacedName.Of(obj)] = obj;
                        Publish(known && type == WatchEventType.Added ? WatchEventType.Modified : type, obj);
                        break;
                    case WatchEventType.Deleted:
                        _cache.TryRemove(NamespacedName.Of(obj), out _);
                        Publish(type, obj);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            RuntimeLog.WatchIdle(logger, source.Kind, options.IdleTimeout);
            return resourceVersion;
        }
        if (error is not null) throw error;
        return resourceVersion;
    }

    private void Publish(WatchEventType type, T obj)
    {
        Action<ResourceEvent<T>>[] subscribers;
        lock (_subscribers) subscribers = [.. _subscribers];
        var change = new ResourceEvent<T>(type, obj);
        foreach (var subscriber in subscribers)
        {
            try
            {
                subscriber(change);
            }
            catch (Exception e)
            {
                RuntimeLog.SubscriberFailed(logger, source.Kind, type, NamespacedName.Of(obj), e);
            }
        }
    }

    private static bool IsGone(Exception e) => e switch
    {
        KubernetesException { Status.Code: (int)HttpStatusCode.Gone } => true,
        HttpOperationException { Response.StatusCode: HttpStatusCode.Gone } => true,
        _ => false,
    };

    private static TimeSpan Jitter(TimeSpan delay) => delay * (0.8 + Random.Shared.NextDouble() * 0.4);
}
