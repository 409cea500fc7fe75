using Microsoft.Extensions.Time.Testing;
using Ops.ControllerRuntime.Queues;

namespace Ops.ControllerRuntime.Tests.Queues;

public sealed class WorkQueueTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new();

    private static async Task<bool> HasItemAsync(WorkQueue<string> queue)
    {
        using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        try
        {
            var item = await queue.TakeAsync(soon.Token);
            queue.Done(item);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [Fact]
    public async Task An_item_added_many_times_while_waiting_is_handed_out_once()
    {
        using var queue = new WorkQueue<string>(_clock);
        queue.Add("a");
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");

        Assert.Equal(2, queue.Depth);
        Assert.Equal("a", await queue.TakeAsync(_ct));
        Assert.Equal("b", await queue.TakeAsync(_ct));
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public async Task An_item_added_while_in_process_is_queued_again_on_Done_and_never_handed_out_twice_at_once()
    {
        using var queue = new WorkQueue<string>(_clock);
        queue.Add("a");
        var first = await queue.TakeAsync(_ct);

        queue.Add("a");
        Assert.False(await HasItemAsync(queue));

        queue.Done(first);
        Assert.Equal("a", await queue.TakeAsync(_ct));
    }

    [Fact]
    public async Task AddAfter_waits_for_the_clock()
    {
        using var queue = new WorkQueue<string>(_clock);
        queue.AddAfter("later", TimeSpan.FromSeconds(30));

        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(await HasItemAsync(queue));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await HasItemAsync(queue));
    }

    [Fact]
    public async Task An_item_waits_once_at_its_soonest_time_and_a_dropped_item_waits_no_more()
    {
        using var queue = new WorkQueue<string>(_clock);
        // A TTL of a day, then a requeue in a minute, then one in an hour: one timer, due in a minute.
        queue.AddAfter("a", TimeSpan.FromDays(1));
        queue.AddAfter("a", TimeSpan.FromMinutes(1));
        queue.AddAfter("a", TimeSpan.FromHours(1));
        queue.AddAfter("gone", TimeSpan.FromDays(1));
        Assert.Equal(2, queue.Waiting);

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await HasItemAsync(queue));
        Assert.Equal(1, queue.Waiting);
        queue.Drop("gone");
        Assert.Equal(0, queue.Waiting);
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.False(await HasItemAsync(queue));
    }

    [Fact]
    public async Task A_reschedule_replaces_the_wait_sooner_or_later_and_none_cancels_it()
    {
        using var queue = new WorkQueue<string>(_clock);
        queue.AddAfter("a", TimeSpan.FromMinutes(1));

        // The latest reconcile's answer wins, even when it is later than what waited.
        queue.Reschedule("a", TimeSpan.FromHours(1));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await HasItemAsync(queue));
        // And none at all: a reconcile of a deleted object that ended after an earlier one asked for a day.
        queue.Reschedule("a", null);
        Assert.Equal(0, queue.Waiting);
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.False(await HasItemAsync(queue));
    }

    [Fact]
    public void A_waiting_item_does_not_hold_the_execution_context_of_whoever_added_it()
    {
        // The system clock's timers capture the execution context unless told not to (the fake clock's never do).
        using var queue = new WorkQueue<string>(TimeProvider.System);
        var scope = new AsyncLocal<object?>();
        var weak = AddInScope(queue, scope);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // What the caller had in its async context (a logging scope, say) is collectable while the item waits a day.
        Assert.False(weak.TryGetTarget(out _));
        Assert.Equal(1, queue.Waiting);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference<object> AddInScope(WorkQueue<string> queue, AsyncLocal<object?> scope)
    {
        var held = new object();
        WeakReference<object> weak = new(held);
        ExecutionContext.Run(ExecutionContext.Capture()!, _ =>
        {
            scope.Value = held;
            queue.AddAfter("a", TimeSpan.FromDays(1));
            scope.Value = null;
        }, null);
        return weak;
    }

    [Fact]
    public async Task Failures_back_off_exponentially_per_item_until_forgotten()
    {
        using var queue = new WorkQueue<string>(_clock, baseDelay: TimeSpan.FromSeconds(1), maxDelay: TimeSpan.FromSeconds(8), perSecond: 1000, burst: 1000);

        foreach (var expected in new[] { 1, 2, 4, 8, 8 })
        {
            queue.AddRateLimited("flaky");
            _clock.Advance(TimeSpan.FromSeconds(expected) - TimeSpan.FromMilliseconds(1));
            Assert.False(await HasItemAsync(queue), $"came back before {expected}s");
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            Assert.True(await HasItemAsync(queue), $"did not come back at {expected}s");
        }
        Assert.Equal(5, queue.Failures("flaky"));

        queue.Forget("flaky");
        queue.AddRateLimited("flaky");
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await HasItemAsync(queue));
    }

    [Fact]
    public void The_token_bucket_spreads_a_burst_beyond_its_size()
    {
        var bucket = new TokenBucket(perSecond: 10, burst: 3, _clock);

        var delays = Enumerable.Range(0, 5).Select(_ => bucket.Reserve()).ToList();

        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)], delays);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, bucket.Reserve());
    }
}
