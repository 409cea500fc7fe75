namespace Ops.TestSupport;

/// <summary>Polls a condition that the system makes true on its own, failing with a message when it never does.</summary>
public static class Eventually
{
    public static async Task<T> Get<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeouts.Eventually);
        while (true)
        {
            var value = await probe();
            if (value is not null) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    public static async Task True(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        await Get<object>(async () => await condition() ? new object() : null, what, timeout);
}
