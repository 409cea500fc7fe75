namespace Ops.ControllerRuntime.Queues;

/// <summary>
/// An overall rate limit: <paramref name="perSecond"/> tokens a second, bursts of <paramref name="burst"/>.
/// Reserve takes a token now or later and says how long to wait for it, so a storm of retries is
/// spread out instead of hitting the API server at once.
/// </summary>
public sealed class TokenBucket(double perSecond, int burst, TimeProvider clock)
{
    private readonly Lock _lock = new();
    private double _tokens = burst;
    private DateTimeOffset _last = clock.GetUtcNow();

    public TimeSpan Reserve()
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            _tokens = Math.Min(burst, _tokens + (now - _last).TotalSeconds * perSecond);
            _last = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / perSecond);
        }
    }
}
