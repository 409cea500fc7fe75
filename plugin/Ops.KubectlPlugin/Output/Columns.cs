using System.Text;
using System.Text.RegularExpressions;

namespace Ops.KubectlPlugin.Output;

/// <summary>
/// Rows as kubectl get prints them: upper-case headers, columns padded to their widest cell and three spaces apart, no
/// borders; the last column may be cut to a width (a terminal's) and is never padded.
/// </summary>
public static partial class Columns
{
    public static void Write(TextWriter writer, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int? width = null)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, headers.Count - 1).Select(i => all.Max(r => Visible(r[i]).Length)).ToArray();
        foreach (var row in all)
        {
            var line = new StringBuilder();
            for (var i = 0; i < headers.Count - 1; i++) line.Append(row[i]).Append(' ', widths[i] - Visible(row[i]).Length + 3);
            var last = row[^1];
            if (width is { } max && Visible(line.ToString()).Length + last.Length > max) last = last[..Math.Max(0, max - Visible(line.ToString()).Length - 1)] + "…";
            writer.WriteLine(line.Append(last).ToString());
        }
    }

    /// <summary>What a cell shows, colour codes left out.</summary>
    private static string Visible(string cell) => Escape().Replace(cell, "");

    [GeneratedRegex("\u001b\\[[0-9;]*m", RegexOptions.CultureInvariant)]
    private static partial Regex Escape();
}
