using System.Globalization;
using System.Text.RegularExpressions;

namespace Ops.Operator.Api;

/// <summary>Durations as the CRDs write them (Go's form, checked by the schema's pattern): 90s, 10m, 1h30m, 1.5h.</summary>
public static partial class Durations
{
    public static TimeSpan Parse(string text)
    {
        var parts = Part().Matches(text);
        if (parts.Count == 0 || parts.Sum(p => p.Length) != text.Length) throw new FormatException($"\"{text}\" is not a duration like 90s, 10m or 1h30m");
        var seconds = 0.0;
        foreach (Match part in parts)
        {
            var value = double.Parse(part.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            seconds += value * part.Groups[2].Value switch
            {
                "ns" => 1e-9,
                "us" => 1e-6,
                "ms" => 1e-3,
                "s" => 1,
                "m" => 60,
                _ => 3600,
            };
        }
        return TimeSpan.FromSeconds(seconds);
    }

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
