using System.Text;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Selection;

/// <summary>
/// <c>?fieldSelector=</c>: conjunctions of <c>field=value</c> and <c>field!=value</c> over the fields a
/// kind makes selectable; any other field is a 400, as on a real API server.
/// </summary>
internal sealed class FieldSelector
{
    private readonly IReadOnlyList<(string Field, bool Equal, string Value)> _terms;

    private FieldSelector(IReadOnlyList<(string, bool, string)> terms) => _terms = terms;

    public static readonly FieldSelector Everything = new([]);

    public bool Matches(IReadOnlyDictionary<string, string> fields) =>
        _terms.All(t => (fields.TryGetValue(t.Field, out var value) ? value : "") == t.Value == t.Equal);

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var terms = new List<(string, bool, string)>();
        foreach (var term in SplitUnescaped(text, ','))
        {
            if (term.Length == 0) continue;
            var (field, equal, value) = ParseTerm(term);
            if (field is not ("metadata.name" or "metadata.namespace") && !type.SelectableFields.Contains(field))
            {
                throw ApiException.BadRequest($"field label not supported: {field}");
            }
            terms.Add((field, equal, value));
        }
        return new FieldSelector(terms);
    }

    private static (string, bool, string) ParseTerm(string term)
    {
        foreach (var (op, equal) in new[] { ("!=", false), ("==", true), ("=", true) })
        {
            var index = IndexOfUnescaped(term, op);
            if (index > 0) return (term[..index].Trim(), equal, Unescape(term[(index + op.Length)..].Trim()));
        }
        throw ApiException.BadRequest($"invalid field selector: '{term}': expected field=value or field!=value");
    }

    private static int IndexOfUnescaped(string text, string op)
    {
        for (var i = 0; i <= text.Length - op.Length; i++)
        {
            if (text[i] == '\\') { i++; continue; }
            if (string.CompareOrdinal(text, i, op, 0, op.Length) == 0) return i;
        }
        return -1;
    }

    private static IEnumerable<string> SplitUnescaped(string text, char separator)
    {
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length) { current.Append(text[i]).Append(text[++i]); continue; }
            if (text[i] == separator) { yield return current.ToString(); current.Clear(); continue; }
            current.Append(text[i]);
        }
        yield return current.ToString();
    }

    private static string Unescape(string value)
    {
        var result = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length) i++;
            result.Append(value[i]);
        }
        return result.ToString();
    }
}
