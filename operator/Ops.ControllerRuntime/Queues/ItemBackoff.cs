namespace Ops.ControllerRuntime.Queues;

/// <summary>Per-item exponential backoff: base, 2×base, 4×base ... capped; forgotten on success.</summary>
public sealed class ItemBackoff<T>(TimeSpan baseDelay, TimeSpan maxDelay) where T : notnull
{
    private readonly Dictionary<T, int> _failures = [];
    private readonly Lock _lock = new();

    public TimeSpan When(T item)
    {
        lock (_lock)
        {
            var failures = _failures.GetValueOrDefault(item);
            _failures[item] = failures + 1;
            var delay = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 62));
            return delay >= maxDelay.TotalMilliseconds ? maxDelay : TimeSpan.FromMilliseconds(delay);
        }
    }

    public int Failures(T item)
    {
        lock (_lock) return _failures.GetValueOrDefault(item);
    }

    public void Forget(T item)
    {
        lock (_lock) _failures.Remove(item);
    }
}
