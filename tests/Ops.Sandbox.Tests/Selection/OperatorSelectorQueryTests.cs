using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Sandbox.Selection;

namespace Ops.Sandbox.Tests.Selection;

/// <summary>
/// The operator asks the API server to filter lists with the labelSelector query it writes from a
/// command's selector: parsed as an API server parses it, the query selects exactly what the
/// operator's own matching selects.
/// </summary>
public sealed class OperatorSelectorQueryTests
{
    private static readonly List<Dictionary<string, string>> LabelSets =
    [
        new(), new() { ["app"] = "web" }, new() { ["app"] = "web", ["tier"] = "front" }, new() { ["app"] = "api", ["tier"] = "back", ["zone"] = "z1" },
        new() { ["app.kubernetes.io/name"] = "checkout", ["zone"] = "z2" }, new() { ["zone"] = "z3" },
    ];

    public static TheoryData<string> Selectors => new(
        "{}", "app=web", "app=web,tier=front", "app in (web,api)", "app notin (web)", "tier", "!tier",
        "app.kubernetes.io/name=checkout,zone in (z1,z2)", "app in (api),zone notin (z3),!missing");

    private static V1LabelSelector Parse(string text)
    {
        var selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(), MatchExpressions = [] };
        if (text == "{}") return selector;
        foreach (var part in System.Text.RegularExpressions.Regex.Split(text, @",(?![^(]*\))"))
        {
            var m = System.Text.RegularExpressions.Regex.Match(part, @"^(!?)([\w./-]+)(?:=([\w.-]+)| (in|notin) \(([^)]*)\))?$");
            var key = m.Groups[2].Value;
            if (m.Groups[3].Success) selector.MatchLabels[key] = m.Groups[3].Value;
            else if (m.Groups[4].Success) selector.MatchExpressions.Add(new V1LabelSelectorRequirement { Key = key, OperatorProperty = m.Groups[4].Value == "in" ? "In" : "NotIn", Values = m.Groups[5].Value.Split(',') });
            else selector.MatchExpressions.Add(new V1LabelSelectorRequirement { Key = key, OperatorProperty = m.Groups[1].Value == "!" ? "DoesNotExist" : "Exists" });
        }
        return selector;
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void The_query_selects_what_the_operator_matches(string text)
    {
        var selector = Parse(text);
        var query = LabelSelectors.ToQuery(selector);

        Assert.NotNull(query);
        var server = LabelSelector.Parse(query);
        Assert.All(LabelSets, labels => Assert.Equal(LabelSelectors.Matches(selector, labels), server.Matches(labels)));
    }

    [Fact]
    public void A_selector_the_query_syntax_could_misread_or_an_invalid_one_gets_no_query()
    {
        Assert.Null(LabelSelectors.ToQuery(new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web,tier=front" } }));
        Assert.Null(LabelSelectors.ToQuery(new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = "In", Values = ["a) ,b"] }] }));
        Assert.Null(LabelSelectors.ToQuery(new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = "In" }] }));
    }
}
