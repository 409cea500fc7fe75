using Ops.Sandbox.Api;
using Ops.Sandbox.Selection;

namespace Ops.Sandbox.Tests.Selection;

public sealed class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "web", ["tier"] = "front", ["version"] = "7", ["ops.dev/canary"] = "true" };

    [Theory]
    [InlineData("app=web", true)]
    [InlineData("app = web", true)]
    [InlineData("app==web,tier=front", true)]
    [InlineData("app!=web", false)]
    [InlineData("missing!=x", true)]
    [InlineData("app in (api,web)", true)]
    [InlineData("app notin (api,web)", false)]
    [InlineData("missing notin (a)", true)]
    [InlineData("ops.dev/canary", true)]
    [InlineData("!ops.dev/canary", false)]
    [InlineData("version>5", true)]
    [InlineData("version<5", false)]
    [InlineData("tier=", false)]
    [InlineData("", true)]
    // The empty string is a value: "()" is the set {""}, and a leading, doubled or trailing comma adds it.
    [InlineData("app in ()", false)]
    [InlineData("app notin ()", true)]
    [InlineData("missing notin ()", true)]
    [InlineData("app in (,web)", true)]
    [InlineData("app in (api,)", false)]
    [InlineData("app notin (api,,web)", false)]
    public void Matches_like_the_api_server(string selector, bool expected) =>
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(Labels));

    [Theory]
    [InlineData("app in (web")]
    [InlineData("app in (web,")]
    [InlineData("app in (web api)")]
    [InlineData("app=web,")]
    [InlineData("=web")]
    [InlineData("app=(web)")]
    [InlineData("app>x")]
    [InlineData("bad key=1")]
    [InlineData("-start=1")]
    [InlineData("app=not valid!")]
    public void Malformed_selectors_are_400(string selector)
    {
        var error = Assert.Throws<ApiException>(() => LabelSelector.Parse(selector));

        Assert.Equal(400, error.Code);
        Assert.Contains("unable to parse requirement", error.Message);
    }
}
