using CsCheck;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.KubectlPlugin.Cli;

namespace Ops.KubectlPlugin.Tests;

/// <summary>-l as kubectl takes it, into the label selector a DiagnosticCommand carries.</summary>
public sealed class SelectorParserTests
{
    [Fact]
    public void Every_kind_of_requirement_is_read()
    {
        var selector = SelectorParser.Parse("app=checkout,tier==web,env!=dev,zone in (a, b),team notin (x),canary,!legacy,ops.dev/role=api");

        Assert.Equal(new Dictionary<string, string> { ["app"] = "checkout", ["tier"] = "web", ["ops.dev/role"] = "api" }, selector.MatchLabels);
        Assert.Equal(
            [("env", "NotIn", "dev"), ("zone", "In", "a,b"), ("team", "NotIn", "x"), ("canary", "Exists", ""), ("legacy", "DoesNotExist", "")],
            selector.MatchExpressions.Select(e => (e.Key, e.OperatorProperty, string.Join(",", e.Values ?? []))));
    }

    [Theory]
    [InlineData("app in checkout", "\"app in checkout\" is not a requirement")]
    [InlineData("app=", null)]
    [InlineData("=checkout", "\"=checkout\" is not a requirement")]
    [InlineData("zone in ()", "\"zone in ()\" lists no values")]
    [InlineData("app=check out", "\"app=check out\" is not a requirement")]
    public void A_bad_selector_is_refused_naming_the_requirement(string text, string? problem)
    {
        if (problem is null)
        {
            Assert.Equal("", SelectorParser.Parse(text).MatchLabels["app"]);
            return;
        }
        var refused = Assert.Throws<PluginException>(() => SelectorParser.Parse(text));
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal($"selector \"{text}\": {problem} (key=value, key!=value, key in (a,b), key notin (a,b), key, !key)".Replace(" lists no values (key=value, key!=value, key in (a,b), key notin (a,b), key, !key)", " lists no values"), refused.Message);
    }

    [Fact]
    public void A_selector_written_as_a_query_reads_back_as_the_same_selector()
    {
        var word = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[1, 8].Select(c => new string(c));
        var requirement = Gen.OneOf<(string Key, string Op, string[] Values)>(
            Gen.Select(word, word, (k, v) => (k, "=", new[] { v })),
            Gen.Select(word, word.Array[1, 3], (k, v) => (k, "In", v)),
            Gen.Select(word, word.Array[1, 3], (k, v) => (k, "NotIn", v)),
            word.Select(k => (k, "Exists", Array.Empty<string>())),
            word.Select(k => (k, "DoesNotExist", Array.Empty<string>())));
        requirement.Array[1, 5].Sample(requirements =>
        {
            var selector = new V1LabelSelector();
            foreach (var (key, op, values) in requirements.DistinctBy(r => r.Key))
            {
                if (op == "=") (selector.MatchLabels ??= new Dictionary<string, string>())[key] = values[0];
                else (selector.MatchExpressions ??= []).Add(new V1LabelSelectorRequirement { Key = key, OperatorProperty = op, Values = values.Length > 0 ? [.. values] : null });
            }
            var query = LabelSelectors.ToQuery(selector)!;
            Assert.Equal(query, LabelSelectors.ToQuery(SelectorParser.Parse(query)));
        });
    }
}
