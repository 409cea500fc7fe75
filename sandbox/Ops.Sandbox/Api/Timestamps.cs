using System.Globalization;

namespace Ops.Sandbox.Api;

internal static class Timestamps
{
    /// <summary>RFC 3339 with whole seconds, as metav1.Time serializes.</summary>
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>RFC 3339 with microseconds, as metav1.MicroTime (managedFields time is Time; events' eventTime is MicroTime).</summary>
    public static string FormatMicro(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
