using System.Text;
using System.Text.RegularExpressions;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Selection;

/// <summary>
/// The string form of a label selector as the API accepts it in <c>?labelSelector=</c>:
/// <c>app=web,tier!=db,env in (a,b),!legacy,release</c>. An empty selector matches everything.
/// </summary>
internal sealed partial class LabelSelector
{
    private readonly IReadOnlyList<LabelRequirement> _requirements;

    private LabelSelector(IReadOnlyList<LabelRequirement> requirements) => _requirements = requirements;

    public static readonly LabelSelector Everything = new([]);

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.All(r => r.Matches(labels));

    /// <summary>Parses a selector; a malformed one is a 400 BadRequest naming what is wrong.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var tokens = Tokenize(text);
        var requirements = new List<LabelRequirement>();
        var i = 0;
        while (i < tokens.Count)
        {
            requirements.Add(ParseRequirement(tokens, ref i, text));
            if (i < tokens.Count)
            {
                if (tokens[i] != ",") throw Error(text, $"found '{tokens[i]}', expected: ','");
                i++;
                if (i == tokens.Count) throw Error(text, "found '', expected: identifier");
            }
        }
        return new LabelSelector(requirements);
    }

    private static LabelRequirement ParseRequirement(List<string> tokens, ref int i, string text)
    {
        if (tokens[i] == "!")
        {
            i++;
            var negated = Next(tokens, ref i, text);
            ValidateKey(negated, text);
            return new LabelRequirement(negated, "!", []);
        }
        var key = tokens[i++];
        ValidateKey(key, text);
        if (i == tokens.Count || tokens[i] == ",") return new LabelRequirement(key, "exists", []);
        var op = tokens[i++];
        switch (op)
        {
            case "=" or "==" or "!=":
                var value = i < tokens.Count && IsIdentifier(tokens[i]) ? tokens[i++] : "";
                ValidateValue(value, text);
                return new LabelRequirement(key, op, [value]);
            case ">" or "<":
                var number = Next(tokens, ref i, text);
                if (!long.TryParse(number, out _)) throw Error(text, $"for 'gt', 'lt' operators, the value must be an integer: {number}");
                return new LabelRequirement(key, op == ">" ? "gt" : "lt", [number]);
            case "in" or "notin":
                if (Next(tokens, ref i, text) != "(") throw Error(text, "found '" + tokens[i - 1] + "', expected: '('");
                // As the API server reads a value set: the empty string is a value, so "()" is {""} and
                // "(,a)", "(a,,b)" and "(a,)" hold "" beside the named values.
                var values = new List<string>();
                while (true)
                {
                    var token = Next(tokens, ref i, text);
                    if (token is ")" or ",") values.Add("");
                    if (token == ")") break;
                    if (token == ",") continue;
                    ValidateValue(token, text);
                    values.Add(token);
                    var after = Next(tokens, ref i, text);
                    if (after == ")") break;
                    if (after != ",") throw Error(text, $"found '{after}', expected: ',' or ')'");
                }
                return new LabelRequirement(key, op, values.Distinct(StringComparer.Ordinal).ToList());
            default:
                throw Error(text, $"found '{op}', expected: in, notin, =, ==, !=, gt, lt");
        }
    }

    private static string Next(List<string> tokens, ref int i, string text) =>
        i < tokens.Count ? tokens[i++] : throw Error(text, "found '', expected: identifier");

    private static bool IsIdentifier(string token) => token is not ("," or "(" or ")" or "=" or "==" or "!=" or "!" or ">" or "<");

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        void Flush()
        {
            if (current.Length > 0) tokens.Add(current.ToString());
            current.Clear();
        }
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { Flush(); continue; }
            if (c is ',' or '(' or ')' or '>' or '<') { Flush(); tokens.Add(c.ToString()); continue; }
            if (c is '=' or '!')
            {
                Flush();
                if (i + 1 < text.Length && text[i + 1] == '=') { tokens.Add(c + "="); i++; }
                else tokens.Add(c.ToString());
                continue;
            }
            current.Append(c);
        }
        Flush();
        return tokens;
    }

    private static void ValidateKey(string key, string text)
    {
        if (!IsIdentifier(key)) throw Error(text, $"found '{key}', expected: identifier");
        var slash = key.IndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        var prefix = slash < 0 ? null : key[..slash];
        if (name.Length is 0 or > 63 || !NamePart().IsMatch(name) || (prefix is not null && (prefix.Length > 253 || !Subdomain().IsMatch(prefix))))
        {
            throw Error(text, $"key: Invalid value: \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
        }
    }

    private static void ValidateValue(string value, string text)
    {
        if (value.Length > 63 || (value.Length > 0 && !NamePart().IsMatch(value)))
        {
            throw Error(text, $"values[0]: Invalid value: \"{value}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
        }
    }

    private static ApiException Error(string text, string detail) =>
        ApiException.BadRequest($"unable to parse requirement: {detail} (selector \"{text}\")");

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex NamePart();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();
}
