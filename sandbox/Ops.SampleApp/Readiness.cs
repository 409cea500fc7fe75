namespace Ops.SampleApp;

/// <summary>Whether /healthz answers 200: /chaos/unready makes it fail for a while, as a dependency outage would.</summary>
internal sealed class Readiness(TimeProvider clock)
{
    private long _unreadyUntilTicks;

    public bool IsReady => clock.GetUtcNow().UtcTicks >= Interlocked.Read(ref _unreadyUntilTicks);

    public void FailFor(TimeSpan duration) => Interlocked.Exchange(ref _unreadyUntilTicks, (clock.GetUtcNow() + duration).UtcTicks);
}
