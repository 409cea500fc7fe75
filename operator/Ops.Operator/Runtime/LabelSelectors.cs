using k8s.Models;

namespace Ops.Operator.Runtime;

/// <summary>metav1.LabelSelector semantics: all matchLabels equal and every matchExpression holds; {} matches everything.</summary>
public static class LabelSelectors
{
    /// <summary>Why the selector is invalid, or null when it is valid.</summary>
    public static string? Problem(V1LabelSelector? selector)
    {
        foreach (var (expression, i) in (selector?.MatchExpressions ?? []).Select((e, i) => (e, i)))
        {
            var where = $"matchExpressions[{i}]";
            if (string.IsNullOrEmpty(expression.Key)) return $"{where}.key is required";
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
}
