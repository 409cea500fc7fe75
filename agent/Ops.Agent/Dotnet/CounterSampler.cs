using Microsoft.Diagnostics.NETCore.Client;

namespace Ops.Agent.Dotnet;

/// <summary>
/// The System.Runtime counters (cpu, working set, GC heap and counts, thread pool, exceptions, ...)
/// over a window, read from an EventPipe session as dotnet-counters does.
/// </summary>
public sealed class CounterSampler
{
    public async Task<IReadOnlyList<CounterValue>> SampleAsync(DiagnosticsClient client, TimeSpan duration, CancellationToken cancellationToken)
    {
        var interval = Math.Max(1, (int)Math.Min(5, duration.TotalSeconds / 2));
        var values = new Dictionary<string, CounterValue>(StringComparer.Ordinal);
        using var session = await client.StartEventPipeSessionAsync([CounterPayload.Provider(interval)], requestRundown: false, circularBufferMB: 16, cancellationToken);
        using var source = new EventPipeSource(session.EventStream);
        source.Dynamic.All += e =>
        {
            if (CounterPayload.Read(e) is not { } counter) return;
            lock (values)
            {
                // A rate counter's increments add up over the window; a mean is the last interval's.
                values[counter.Name] = counter.IsTotal && values.TryGetValue(counter.Name, out var previous) ? counter with { Value = previous.Value + counter.Value } : counter;
            }
        };
        var processing = Task.Run(source.Process, CancellationToken.None);
        try
        {
            // The stream ends early when the process exits.
            await Task.WhenAny(Task.Delay(duration, cancellationToken), processing);
            cancellationToken.ThrowIfCancellationRequested();
            // Counters are published once per interval: a window shorter than the first one (or a busy
            // process) waits up to two more intervals for it rather than report nothing.
            for (var waited = 0; waited < interval * 20 && !processing.IsCompleted && Count(values) == 0; waited++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
            await processing;
        }
        lock (values) return [.. values.Values.OrderBy(v => v.Name, StringComparer.Ordinal)];
    }

    private static int Count(Dictionary<string, CounterValue> values)
    {
        lock (values) return values.Count;
    }
}
