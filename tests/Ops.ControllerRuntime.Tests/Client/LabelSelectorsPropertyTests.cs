using CsCheck;
using k8s.Models;
using Ops.ControllerRuntime.Client;

namespace Ops.ControllerRuntime.Tests.Client;

/// <summary>
/// Random selectors, valid or not, judged against the API server's own rules: the sandbox's parser of
/// <c>?labelSelector=</c> (the keys, values and syntax it accepts, and how it matches) with the structural rules
/// of metav1.LabelSelectorAsSelector (known operators; In and NotIn need values, Exists and DoesNotExist take none).
/// The operator must refuse exactly what the API server refuses, with a reason, and match as it matches.
/// </summary>
public sealed class LabelSelectorsPropertyTests
{
    private static readonly Gen<string> Text = Gen.Frequency((3, Gen.OneOf(["app", "tier", "", "a/b", "x,y", "!", "=", "in (a)", " ", "é"])), (1, Gen.String[0, 10]));

    private static readonly Gen<V1LabelSelectorRequirement> Requirements = Gen.Select(Text, Gen.OneOf(["In", "NotIn", "Exists", "DoesNotExist", "", "in", "Gt", "=="]), Text.List[0, 3].Null(),
        (key, op, values) => new V1LabelSelectorRequirement { Key = key, OperatorProperty = op, Values = values });

    private static readonly Gen<V1LabelSelector> Selectors = Gen.Select(Gen.Dictionary(Text, Text)[0, 3].Null(), Requirements.List[0, 3].Null(),
        (labels, expressions) => new V1LabelSelector { MatchLabels = labels, MatchExpressions = expressions });

    /// <summary>What the API server makes of the selector: valid with its matcher, or invalid.</summary>
    private static (bool Valid, Ops.Sandbox.Selection.LabelSelector? Parsed) ApiServer(V1LabelSelector selector)
    {
        var expressions = selector.MatchExpressions ?? [];
        foreach (var e in expressions)
        {
            var values = e.Values ?? [];
            var structural = e.OperatorProperty switch
            {
                "In" or "NotIn" => values.Count > 0,
                "Exists" or "DoesNotExist" => values.Count == 0,
                _ => false,
            };
            if (!structural) return (false, null);
        }
        var labels = selector.MatchLabels ?? new Dictionary<string, string>();
        // An empty key is not a label key (and would vanish from the query).
        if (labels.Keys.Concat(expressions.Select(e => e.Key)).Any(string.IsNullOrEmpty)) return (false, null);
        var words = labels.SelectMany(l => new[] { l.Key, l.Value }).Concat(expressions.SelectMany(e => (e.Values ?? []).Prepend(e.Key)));
        // No label key or value may hold anything but letters, digits and -_./ : such a word is invalid, whatever the syntax makes of it.
        if (!words.All(w => w.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/'))) return (false, null);
        var query = string.Join(",", labels.Select(l => $"{l.Key}={l.Value}").Concat(expressions.Select(e => e.OperatorProperty switch
        {
            "In" => $"{e.Key} in ({string.Join(",", e.Values)})",
            "NotIn" => $"{e.Key} notin ({string.Join(",", e.Values)})",
            "Exists" => e.Key,
            _ => $"!{e.Key}",
        })));
        if (query.Length == 0) return (true, Ops.Sandbox.Selection.LabelSelector.Everything);
        try
        {
            return (true, Ops.Sandbox.Selection.LabelSelector.Parse(query));
        }
        catch (Ops.Sandbox.Api.ApiException e) when (e.Code == 400)
        {
            return (false, null);
        }
    }

    [Fact]
    public void Every_selector_is_refused_exactly_when_the_API_server_refuses_it_and_matches_as_it_matches()
    {
        int valid = 0, invalid = 0;
        Gen.Select(Selectors, Gen.Dictionary(Text, Text)[0, 4]).Sample((selector, labels) =>
        {
            var problem = LabelSelectors.Problem(selector);
            Assert.True(problem is null || problem.Length > 0);
            var api = ApiServer(selector);
            Assert.True(api.Valid == (problem is null), $"the API server finds {SelectorText(selector)} {(api.Valid ? "valid" : "invalid")}; the operator: {problem ?? "valid"}");
            if (!api.Valid)
            {
                Interlocked.Increment(ref invalid);
                return;
            }
            Interlocked.Increment(ref valid);
            Assert.Equal(api.Parsed!.Matches(labels.AsReadOnly()), LabelSelectors.Matches(selector, labels));
            // The query the operator sends, when it sends one, means the same to the API server.
            if (LabelSelectors.ToQuery(selector) is { } query) Assert.Equal(api.Parsed.Matches(labels.AsReadOnly()), Ops.Sandbox.Selection.LabelSelector.Parse(query).Matches(labels.AsReadOnly()));
        }, iter: 20_000);
        // Both verdicts well represented, or the property proves little.
        Assert.True(valid > 2_000 && invalid > 2_000, $"{valid} valid, {invalid} invalid");
    }

    private static string SelectorText(V1LabelSelector s) => System.Text.Json.JsonSerializer.Serialize(new { s.MatchLabels, s.MatchExpressions });
}
