using k8s.Models;

namespace Ops.ControllerRuntime.Client;

/// <summary>metav1.LabelSelector semantics: all matchLabels equal and every matchExpression holds; {} matches everything.</summary>
public static partial class LabelSelectors
{
    /// <summary>Why the selector is invalid, or null when it is valid.</summary>
    public static string? Problem(V1LabelSelector? selector)
    {
        foreach (var (key, value) in selector?.MatchLabels ?? new Dictionary<string, string>())
        {
            if (KeyProblem(key) is { } problem) return $"matchLabels: key \"{key}\" {problem}";
            if (ValueProblem(value) is { } valueProblem) return $"matchLabels[{key}]: value \"{value}\" {valueProblem}";
        }
        foreach (var (expression, i) in (selector?.MatchExpressions ?? []).Select((e, i) => (e, i)))
        {
            var where = $"matchExpressions[{i}]";
            if (string.IsNullOrEmpty(expression.Key)) return $"{where}.key is required";
            if (KeyProblem(expression.Key) is { } keyProblem) return $"{where}.key \"{expression.Key}\" {keyProblem}";
            foreach (var value in expression.Values ?? [])
            {
                if (ValueProblem(value) is { } valueProblem) return $"{where}: value \"{value}\" {valueProblem}";
            }
            switch (expression.OperatorProperty)
            {
                case "In" or "NotIn" when expression.Values is not { Count: > 0 }:
                    return $"{where}: operator {expression.OperatorProperty} needs at least one value";
                case "Exists" or "DoesNotExist" when expression.Values is { Count: > 0 }:
                    return $"{where}: operator {expression.OperatorProperty} takes no values";
                case "In" or "NotIn" or "Exists" or "DoesNotExist":
                    break;
                default:
                    return $"{where}: operator \"{expression.OperatorProperty}\" is not one of In, NotIn, Exists, DoesNotExist";
            }
        }
        return null;
    }

    public static bool Matches(V1LabelSelector selector, IDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value) return false;
        }
        foreach (var expression in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(expression.Key, out var actual);
            var holds = expression.OperatorProperty switch
            {
                "In" => has && expression.Values.Contains(actual!),
                "NotIn" => !has || !expression.Values.Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!holds) return false;
        }
        return true;
    }

    /// <summary>
    /// The selector as a labelSelector query (a=b,k in (x,y),!k), so the API server filters a list; null
    /// when it is invalid or holds a character the query syntax could misread (the caller then lists
    /// everything and filters with <see cref="Matches"/>, as it always does anyway).
    /// </summary>
    public static string? ToQuery(V1LabelSelector selector)
    {
        if (Problem(selector) is not null) return null;
        var parts = new List<string>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>()) parts.Add($"{key}={value}");
        foreach (var e in selector.MatchExpressions ?? [])
        {
            parts.Add(e.OperatorProperty switch
            {
                "In" => $"{e.Key} in ({string.Join(",", e.Values)})",
                "NotIn" => $"{e.Key} notin ({string.Join(",", e.Values)})",
                "Exists" => e.Key,
                _ => $"!{e.Key}",
            });
        }
        var words = (selector.MatchLabels ?? new Dictionary<string, string>()).SelectMany(l => new[] { l.Key, l.Value })
            .Concat((selector.MatchExpressions ?? []).SelectMany(e => (e.Values ?? []).Prepend(e.Key)));
        return words.All(IsPlain) ? string.Join(",", parts) : null;
    }

    private static bool IsPlain(string word) => word.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/');

    // The API server refuses a selector whose keys or values are not valid labels (400), so these are checked first.
    private static string? KeyProblem(string key)
    {
        var slash = key.IndexOf('/');
        var (prefix, name) = slash < 0 ? ("", key) : (key[..slash], key[(slash + 1)..]);
        if (slash >= 0 && (prefix.Length is 0 or > 253 || !DnsSubdomain().IsMatch(prefix))) return "has a prefix that is not a DNS subdomain";
        if (name.Length is 0 or > 63 || !LabelName().IsMatch(name)) return "is not a valid label name (up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)";
        return null;
    }

    private static string? ValueProblem(string? value) =>
        value is null || value.Length == 0 || (value.Length <= 63 && LabelName().IsMatch(value)) ? null
            : "is not a valid label value (up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)";

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex LabelName();

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial System.Text.RegularExpressions.Regex DnsSubdomain();
}
