using System.Text.RegularExpressions;
using k8s.Models;

namespace Ops.KubectlPlugin.Cli;

/// <summary>
/// A label selector as kubectl -l takes it: comma-separated requirements, each key=value (or ==), key!=value,
/// key in (a,b), key notin (a,b), key (exists) or !key (does not exist).
/// </summary>
public static partial class SelectorParser
{
    public static V1LabelSelector Parse(string text)
    {
        var selector = new V1LabelSelector();
        foreach (var requirement in Split(text))
        {
            var part = requirement.Trim();
            Match match;
            if ((match = SetBased().Match(part)).Success)
            {
                var values = match.Groups["values"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
                if (values.Count == 0) throw Bad(text, $"\"{part}\" lists no values");
                Add(selector, match.Groups["key"].Value, match.Groups["op"].Value == "in" ? "In" : "NotIn", values);
            }
            else if ((match = Equality().Match(part)).Success)
            {
                var (key, value) = (match.Groups["key"].Value, match.Groups["value"].Value);
                if (match.Groups["op"].Value == "!=") Add(selector, key, "NotIn", [value]);
                else (selector.MatchLabels ??= new Dictionary<string, string>())[key] = value;
            }
            else if ((match = Existence().Match(part)).Success)
            {
                Add(selector, match.Groups["key"].Value, match.Groups["not"].Success ? "DoesNotExist" : "Exists", null);
            }
            else
            {
                throw Bad(text, $"\"{part}\" is not a requirement (key=value, key!=value, key in (a,b), key notin (a,b), key, !key)");
            }
        }
        return selector;
    }

    /// <summary>Splits at the commas outside parentheses.</summary>
    private static IEnumerable<string> Split(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    private static void Add(V1LabelSelector selector, string key, string op, List<string>? values) =>
        (selector.MatchExpressions ??= []).Add(new V1LabelSelectorRequirement { Key = key, OperatorProperty = op, Values = values });

    private static PluginException Bad(string text, string why) => PluginException.Usage($"selector \"{text}\": {why}");

    private const string Key = @"(?<key>([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)";

    [GeneratedRegex($@"^{Key}\s+(?<op>in|notin)\s*\((?<values>[^()]*)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex SetBased();

    [GeneratedRegex($@"^{Key}\s*(?<op>==|=|!=)\s*(?<value>([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex Equality();

    [GeneratedRegex($@"^(?<not>!)?\s*{Key}$", RegexOptions.CultureInvariant)]
    private static partial Regex Existence();
}
