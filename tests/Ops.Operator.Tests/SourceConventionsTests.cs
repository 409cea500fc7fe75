using System.Text.RegularExpressions;
using Ops.TestSupport;

namespace Ops.Operator.Tests;

/// <summary>Rules of the operator's and the agent's sources that a reviewer would otherwise have to remember.</summary>
public sealed partial class SourceConventionsTests
{
    private static IEnumerable<string> Sources() =>
        new[] { "operator", "agent" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));

    private static string Relative(string file) => Path.GetRelativePath(RepositoryPaths.Root, file);

    [Fact]
    public void Every_log_has_an_event_id_from_a_LoggerMessage_method()
    {
        var direct = Sources().SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => DirectLog().IsMatch(l.Text)).Select(l => $"{Relative(l.File)}:{l.Line}").ToList();

        Assert.True(direct.Count == 0, $"logged without an event id (declare a [LoggerMessage] method instead): {string.Join(", ", direct)}");
    }

    [Fact]
    public void No_two_log_events_share_an_id()
    {
        var ids = Sources().SelectMany(f => EventId().Matches(File.ReadAllText(f)).Select(m => (Id: int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), File: Relative(f)))).ToList();

        Assert.True(ids.Count > 30, $"only {ids.Count} [LoggerMessage] methods found");
        var shared = ids.GroupBy(i => i.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key} in {string.Join(" and ", g.Select(i => i.File))}").ToList();
        Assert.True(shared.Count == 0, $"event ids used twice: {string.Join("; ", shared)}");
    }

    [Fact]
    public void No_source_file_is_longer_than_250_lines()
    {
        var tooLong = Sources().Select(f => (File: Relative(f), Lines: File.ReadLines(f).Count())).Where(f => f.Lines > 250).Select(f => $"{f.File} ({f.Lines})").ToList();

        Assert.True(tooLong.Count == 0, $"longer than 250 lines: {string.Join(", ", tooLong)}");
    }

    [GeneratedRegex(@"\.Log(Trace|Debug|Information|Warning|Error|Critical)\(")]
    private static partial Regex DirectLog();

    [GeneratedRegex(@"\[LoggerMessage\((\d+),")]
    private static partial Regex EventId();
}
