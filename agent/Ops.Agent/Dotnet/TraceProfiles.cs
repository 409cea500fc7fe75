using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing.Parsers;
using Ops.Agent.Actions;

namespace Ops.Agent.Dotnet;

/// <summary>
/// The providers of a trace: a named profile (cpu-sampling, gc, as dotnet-trace names them) or an explicit
/// list "Provider[:keywords-hex[:level]]" separated by commas.
/// </summary>
public static class TraceProfiles
{
    private const string Runtime = "Microsoft-Windows-DotNETRuntime";

    public static IReadOnlyList<EventPipeProvider> Resolve(string? profile, string? providers)
    {
        if (providers is { Length: > 0 }) return [.. providers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse)];
        return (profile ?? "cpu-sampling") switch
        {
            "cpu-sampling" =>
            [
                new EventPipeProvider("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational),
                new EventPipeProvider(Runtime, EventLevel.Informational, (long)ClrTraceEventParser.Keywords.Default),
            ],
            "gc" =>
            [
                new EventPipeProvider(Runtime, EventLevel.Verbose, (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHandle | ClrTraceEventParser.Keywords.Exception)),
            ],
            var other => throw new ActionParameterException($"parameter \"profile\" must be cpu-sampling or gc (or give \"providers\"), not \"{other}\""),
        };
    }

    private static EventPipeProvider Parse(string text)
    {
        var parts = text.Split(':');
        if (parts[0].Length == 0 || parts.Length > 3) throw new ActionParameterException($"provider \"{text}\" must be Name[:keywords-hex[:level]]");
        var keywords = parts.Length > 1 && parts[1].Length > 0
            ? long.TryParse(parts[1].Replace("0x", "", StringComparison.OrdinalIgnoreCase), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var k) ? k : throw new ActionParameterException($"provider \"{text}\": keywords must be hexadecimal")
            : -1;
        var level = parts.Length > 2
            ? int.TryParse(parts[2], out var l) && l is >= 0 and <= 5 ? (EventLevel)l : throw new ActionParameterException($"provider \"{text}\": level must be 0 to 5")
            : EventLevel.Informational;
        return new EventPipeProvider(parts[0], level, keywords);
    }
}
