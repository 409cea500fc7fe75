using CsCheck;
using k8s.Models;
using Ops.Operator.Runtime;

namespace Ops.Operator.Tests.Runtime;

/// <summary>Random selectors, valid or not: a reason for the invalid ones; matching and the API query never throw for the valid ones.</summary>
public sealed class LabelSelectorsPropertyTests
{
    private static readonly Gen<string> Text = Gen.Frequency((3, Gen.OneOf(["app", "tier", "", "a/b", "x,y", "!", "=", "in (a)", " ", "é"])), (1, Gen.String[0, 10]));

    private static readonly Gen<V1LabelSelectorRequirement> Requirements = Gen.Select(Text, Gen.OneOf(["In", "NotIn", "Exists", "DoesNotExist", "", "in", "Gt", "=="]), Text.List[0, 3].Null(),
        (key, op, values) => new V1LabelSelectorRequirement { Key = key, OperatorProperty = op, Values = values });

    private static readonly Gen<V1LabelSelector> Selectors = Gen.Select(Gen.Dictionary(Text, Text)[0, 3].Null(), Requirements.List[0, 3].Null(),
        (labels, expressions) => new V1LabelSelector { MatchLabels = labels, MatchExpressions = expressions });

    [Fact]
    public void Every_selector_is_valid_and_usable_or_has_a_reason() =>
        Gen.Select(Selectors, Gen.Dictionary(Text, Text)[0, 4]).Sample((selector, labels) =>
        {
            if (LabelSelectors.Problem(selector) is { } problem)
            {
                Assert.False(string.IsNullOrWhiteSpace(problem));
                return;
            }
            _ = LabelSelectors.Matches(selector, labels);
            _ = LabelSelectors.ToQuery(selector);
        }, iter: 20_000);
}
