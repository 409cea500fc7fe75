using System.Globalization;
using Microsoft.Diagnostics.Tracing;

namespace Ops.Agent.Dotnet;

/// <summary>
/// Reads the counter an EventCounters event carries, as dotnet-counters does: its one unnamed field holds
/// {"Payload": {Name, DisplayName, Mean | Increment, DisplayUnits, ...}}. A mean is the counter's value over the
/// interval; an increment is what a rate counter (exceptions, GCs) counted during it.
/// </summary>
public static class CounterPayload
{
    public static CounterValue? Read(TraceEvent e)
    {
        if (e.EventName != "EventCounters" || e.PayloadValue(0) is not IDictionary<string, object> outer
            || !outer.TryGetValue("Payload", out var inner) || inner is not IDictionary<string, object> payload) return null;
        var name = payload.TryGetValue("Name", out var n) ? n as string ?? "" : "";
        if (name.Length == 0) return null;
        var display = payload.TryGetValue("DisplayName", out var d) ? d as string ?? name : name;
        var unit = payload.TryGetValue("DisplayUnits", out var u) ? u as string ?? "" : "";
        if (payload.TryGetValue("Increment", out var increment)) return new CounterValue(name, display, Convert.ToDouble(increment, CultureInfo.InvariantCulture), unit, IsTotal: true);
        return payload.TryGetValue("Mean", out var mean) ? new CounterValue(name, display, Convert.ToDouble(mean, CultureInfo.InvariantCulture), unit, IsTotal: false) : null;
    }

    /// <summary>The System.Runtime provider at this interval, for a session that reads counters.</summary>
    public static Microsoft.Diagnostics.NETCore.Client.EventPipeProvider Provider(int intervalSeconds) =>
        new("System.Runtime", System.Diagnostics.Tracing.EventLevel.Informational, -1,
            new Dictionary<string, string> { ["EventCounterIntervalSec"] = intervalSeconds.ToString(CultureInfo.InvariantCulture) });
}
