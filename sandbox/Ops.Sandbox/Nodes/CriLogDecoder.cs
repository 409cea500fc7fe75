using System.Globalization;
using System.Text;

namespace Ops.Sandbox.Nodes;

/// <summary>
/// Turns a container log in the CRI format into the text the container wrote, as <c>kubectl logs</c> shows
/// it. Each line of the file is <c>TIMESTAMP STREAM TAG TEXT</c>: TAG <c>F</c> ends a line, <c>P</c> is a part
/// of a longer line (the runtime splits long lines) continued by the next. With <c>timestamps</c> each line starts
/// with its time (kubectl logs --timestamps); with <c>since</c>, lines written before it are left out (--since,
/// --since-time). Fed in pieces, it keeps an unfinished line of the file for the next piece. Plain logs pass
/// through unchanged.
/// </summary>
internal sealed class CriLogDecoder(bool criFormat, bool timestamps = false, DateTimeOffset? since = null)
{
    private readonly StringBuilder _pending = new();
    // Within a line split in parts: whether it started before 'since' (its later parts go with it), and whether its time was written.
    private bool _skipping;
    private bool _continuing;

    public string Decode(string chunk)
    {
        if (!criFormat) return chunk;
        _pending.Append(chunk);
        var text = _pending.ToString();
        var end = text.LastIndexOf('\n');
        if (end < 0) return "";
        _pending.Clear().Append(text, end + 1, text.Length - end - 1);
        var output = new StringBuilder();
        foreach (var line in text.AsSpan(0, end).EnumerateLines())
        {
            // Timestamp, stream and tag are single words; the text after the third space is the container's, spaces and all.
            var first = line.IndexOf(' ');
            if (first < 0) continue;
            var second = line[(first + 1)..].IndexOf(' ');
            if (second < 0) continue;
            var rest = line[(first + second + 2)..];
            var tagEnd = rest.IndexOf(' ');
            var tag = tagEnd < 0 ? rest : rest[..tagEnd];
            var partial = tag.SequenceEqual("P");
            if (!_continuing)
            {
                _skipping = since is { } from && DateTimeOffset.TryParse(line[..first], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var written) && written < from;
                if (!_skipping && timestamps) output.Append(line[..first]).Append(' ');
            }
            _continuing = partial;
            if (_skipping) continue;
            output.Append(tagEnd < 0 ? [] : rest[(tagEnd + 1)..]);
            if (!partial) output.Append('\n');
        }
        return output.ToString();
    }
}
