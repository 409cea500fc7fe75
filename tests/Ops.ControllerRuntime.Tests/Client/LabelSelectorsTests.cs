using k8s.Models;
using Ops.ControllerRuntime.Client;

namespace Ops.ControllerRuntime.Tests.Client;

public sealed class LabelSelectorsTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "web", ["tier"] = "front" };

    private static V1LabelSelector Expression(string key, string op, params string[] values) =>
        new() { MatchExpressions = [new V1LabelSelectorRequirement { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values }] };

    [Fact]
    public void An_empty_selector_matches_everything_and_match_labels_must_all_hold()
    {
        Assert.True(LabelSelectors.Matches(new V1LabelSelector(), Labels));
        Assert.True(LabelSelectors.Matches(new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" } }, Labels));
        Assert.False(LabelSelectors.Matches(new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "back" } }, Labels));
    }

    [Theory]
    [InlineData("app", "In", true, "web", "api")]
    [InlineData("app", "NotIn", false, "web")]
    [InlineData("missing", "NotIn", true, "x")]
    [InlineData("tier", "Exists", true)]
    [InlineData("tier", "DoesNotExist", false)]
    public void Expressions_hold_as_in_Kubernetes(string key, string op, bool expected, params string[] values) =>
        Assert.Equal(expected, LabelSelectors.Matches(Expression(key, op, values), Labels));

    [Theory]
    [InlineData("app", "In", "needs at least one value")]
    [InlineData("app", "Exists", "takes no values", "x")]
    [InlineData("", "Exists", "key is required")]
    [InlineData("app", "Like", "is not one of In, NotIn, Exists, DoesNotExist", "x")]
    [InlineData("a/b/c", "Exists", "is not a valid label name")]
    [InlineData("Not_A.Domain/app", "Exists", "has a prefix that is not a DNS subdomain")]
    [InlineData("app", "In", "value \"x y\" is not a valid label value", "x y")]
    public void Invalid_expressions_are_explained(string key, string op, string problem, params string[] values) =>
        Assert.Contains(problem, LabelSelectors.Problem(Expression(key, op, values)));

    [Theory]
    [InlineData("app", "Bad Value!", "matchLabels[app]: value \"Bad Value!\" is not a valid label value")]
    [InlineData("-app", "x", "matchLabels: key \"-app\" is not a valid label name")]
    public void Match_labels_the_API_server_would_refuse_are_explained(string key, string value, string problem) =>
        Assert.StartsWith(problem, LabelSelectors.Problem(new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [key] = value } }));

    [Fact]
    public void Qualified_keys_and_empty_values_are_valid() =>
        Assert.Null(LabelSelectors.Problem(new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "ops", ["tier"] = "" },
            MatchExpressions = [new V1LabelSelectorRequirement { Key = "kubernetes.io/hostname", OperatorProperty = "In", Values = ["node-1", "a_b.c"] }],
        }));
}
