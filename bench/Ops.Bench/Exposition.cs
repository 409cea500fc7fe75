using System.Globalization;

namespace Ops.Bench;

/// <summary>Reads samples out of a Prometheus text exposition (the operator's /metrics).</summary>
internal static class Exposition
{
    /// <summary>The sum of the samples whose line starts with <paramref name="prefix"/>.</summary>
    public static double Sum(string exposition, string prefix) =>
        exposition.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
