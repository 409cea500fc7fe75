namespace Ops.ControllerRuntime.Queues;

/// <summary>
/// A de-duplicating, rate-limited work queue in the manner of client-go's: an item waiting is queued
/// once however often it is added; an item being processed is not handed out again, and if it is
/// added meanwhile it is queued again when <see cref="Done"/> is called. Failures come back with
/// per-item exponential backoff under an overall token bucket.
/// </summary>
public sealed class WorkQueue<T> : IDisposable where T : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<T> _queue = new();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly Dictionary<T, (ITimer Timer, DateTimeOffset ReadyAt)> _waiting = [];
    private readonly TimeProvider _clock;
    private readonly ItemBackoff<T> _backoff;
    private readonly TokenBucket _bucket;
    private bool _shutDown;

    public WorkQueue(TimeProvider clock, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null, double perSecond = 10, int burst = 100)
    {
        _clock = clock;
        _backoff = new ItemBackoff<T>(baseDelay ?? TimeSpan.FromMilliseconds(5), maxDelay ?? TimeSpan.FromMinutes(16));
        _bucket = new TokenBucket(perSecond, burst, clock);
    }

    /// <summary>Items waiting to be processed (not counting those in process).</summary>
    public int Depth
    {
        get { lock (_lock) return _queue.Count; }
    }

    public void Add(T item)
    {
        lock (_lock)
        {
            if (_shutDown || !_dirty.Add(item)) return;
            if (_processing.Contains(item)) return;
            _queue.Enqueue(item);
        }
        _available.Release();
    }

    /// <summary>
    /// Adds the item once <paramref name="delay"/> has passed. An item waits once (one timer): if it already waits to
    /// come back sooner, this changes nothing; if later, it now comes back at the sooner time (client-go's delaying queue).
    /// </summary>
    public void AddAfter(T item, TimeSpan delay) => Wait(item, delay, keepSooner: true);

    /// <summary>
    /// What the item's latest reconcile asked for replaces any earlier wait: to come back after <paramref name="delay"/>,
    /// or (null) not at all. A level-triggered reconcile's answer is the whole truth about when it is due again; an
    /// earlier answer left waiting (a reconcile that ended just after its object was deleted) would wait for nothing.
    /// </summary>
    public void Reschedule(T item, TimeSpan? delay)
    {
        if (delay is { } due)
        {
            Wait(item, due, keepSooner: false);
            return;
        }
        lock (_lock)
        {
            if (_waiting.Remove(item, out var waiting)) waiting.Timer.Dispose();
        }
    }

    private void Wait(T item, TimeSpan delay, bool keepSooner)
    {
        if (delay <= TimeSpan.Zero)
        {
            Reschedule(item, null);
            Add(item);
            return;
        }
        lock (_lock)
        {
            if (_shutDown) return;
            var readyAt = _clock.GetUtcNow() + delay;
            if (_waiting.TryGetValue(item, out var waiting))
            {
                if (keepSooner && waiting.ReadyAt <= readyAt) return;
                waiting.Timer.Dispose();
            }
            ITimer? timer = null;
            // The timer must not capture the caller's execution context: a reconcile's logging scope would live as long as the wait.
            using (ExecutionContext.SuppressFlow())
            {
                timer = _clock.CreateTimer(_ =>
                {
                    lock (_lock)
                    {
                        if (!_waiting.TryGetValue(item, out var current) || current.Timer != timer) return;
                        _waiting.Remove(item);
                    }
                    timer!.Dispose();
                    Add(item);
                }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
            _waiting[item] = (timer, readyAt);
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Items waiting to come back (with <see cref="AddAfter"/>): one timer each.</summary>
    public int Waiting
    {
        get { lock (_lock) return _waiting.Count; }
    }

    /// <summary>
    /// Forgets everything about an item whose object is gone: its wait to come back and its backoff. What it held
    /// (a timer for a TTL of a day, a failure count) would otherwise outlive it.
    /// </summary>
    public void Drop(T item)
    {
        Reschedule(item, null);
        _backoff.Forget(item);
    }

    /// <summary>Adds again after the item's backoff, or later if the overall rate limit says so.</summary>
    public void AddRateLimited(T item)
    {
        var itemDelay = _backoff.When(item);
        var bucketDelay = _bucket.Reserve();
        AddAfter(item, itemDelay > bucketDelay ? itemDelay : bucketDelay);
    }

    public int Failures(T item) => _backoff.Failures(item);

    /// <summary>Clears the item's backoff after it succeeded.</summary>
    public void Forget(T item) => _backoff.Forget(item);

    /// <summary>Waits for the next item; the caller must call <see cref="Done"/> with it, in a finally.</summary>
    public async Task<T> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken);
            lock (_lock)
            {
                if (_queue.Count == 0) continue;
                var item = _queue.Dequeue();
                _dirty.Remove(item);
                _processing.Add(item);
                return item;
            }
        }
    }

    public void Done(T item)
    {
        var requeue = false;
        lock (_lock)
        {
            _processing.Remove(item);
            if (_dirty.Contains(item) && !_shutDown)
            {
                _queue.Enqueue(item);
                requeue = true;
            }
        }
        if (requeue) _available.Release();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _shutDown = true;
            foreach (var (timer, _) in _waiting.Values) timer.Dispose();
            _waiting.Clear();
        }
        _available.Dispose();
    }
}
