using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

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
        var provider = new EventPipeProvider("System.Runtime", EventLevel.Informational, -1, new Dictionary<string, string> { ["EventCounterIntervalSec"] = interval.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var values = new Dictionary<string, CounterValue>(StringComparer.Ordinal);
        using var session = await client.StartEventPipeSessionAsync([provider], requestRundown: false, circularBufferMB: 16, cancellationToken);
        using var source = new EventPipeSource(session.EventStream);
        source.Dynamic.All += e =>
        {
            // The event's one unnamed field holds {"Payload": {Name, DisplayName, Mean | Increment, DisplayUnits, ...}}.
            if (e.EventName != "EventCounters" || e.PayloadValue(0) is not IDictionary<string, object> outer
                || !outer.TryGetValue("Payload", out var inner) || inner is not IDictionary<string, object> payload) return;
            var name = payload.TryGetValue("Name", out var n) ? n as string ?? "" : "";
            if (name.Length == 0) return;
            var display = payload.TryGetValue("DisplayName", out var d) ? d as string ?? name : name;
            var unit = payload.TryGetValue("DisplayUnits", out var u) ? u as string ?? "" : "";
            lock (values)
            {
                if (payload.TryGetValue("Increment", out var increment))
                {
                    var total = values.TryGetValue(name, out var previous) ? previous.Value : 0;
                    values[name] = new CounterValue(name, display, total + Convert.ToDouble(increment, System.Globalization.CultureInfo.InvariantCulture), unit, IsTotal: true);
                }
                else if (payload.TryGetValue("Mean", out var mean))
                {
                    values[name] = new CounterValue(name, display, Convert.ToDouble(mean, System.Globalization.CultureInfo.InvariantCulture), unit, IsTotal: false);
                }
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
