using System.Globalization;

namespace Ops.Sandbox.Containers;

/// <summary>Kubernetes resource quantities (<c>128Mi</c>, <c>500m</c>, <c>1.5</c>, <c>2e3</c>) as numbers, for cgroup limits.</summary>
internal static class ResourceQuantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024), ("Pi", 1024m * 1024 * 1024 * 1024 * 1024),
        ("n", 0.000000001m), ("u", 0.000001m), ("m", 0.001m), ("k", 1000m), ("M", 1000_000m), ("G", 1000_000_000m), ("T", 1000_000_000_000m), ("P", 1000_000_000_000_000m),
    ];

    /// <summary>The quantity's value; a clear error naming the text when it is not one.</summary>
    public static decimal Parse(string text)
    {
        foreach (var (suffix, factor) in Suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && decimal.TryParse(text[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var scaled)) return scaled * factor;
        }
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var plain)) return plain;
        throw new FormatException($"quantity \"{text}\" must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    }
}
