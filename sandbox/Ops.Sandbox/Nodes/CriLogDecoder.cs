using System.Text;

namespace Ops.Sandbox.Nodes;

/// <summary>
/// Turns a container log in the CRI format into the text the container wrote, as <c>kubectl logs</c> shows
/// it. Each line of the file is <c>TIMESTAMP STREAM TAG TEXT</c>: TAG <c>F</c> ends a line, <c>P</c> is a part
/// of a longer line (the runtime splits long lines) continued by the next. Fed in pieces, it keeps an unfinished
/// line of the file for the next piece. Plain logs pass through unchanged.
/// </summary>
internal sealed class CriLogDecoder(bool criFormat)
{
    private readonly StringBuilder _pending = new();

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
            output.Append(tagEnd < 0 ? [] : rest[(tagEnd + 1)..]);
            if (!tag.SequenceEqual("P")) output.Append('\n');
        }
        return output.ToString();
    }
}
