using Ops.Operator.Api;

namespace Ops.Operator.Tests.Controllers.AgentVersions;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1h30m", 5400)]
    [InlineData("1.5h", 5400)]
    [InlineData("500ms", 0.5)]
    public void Go_style_durations_parse(string text, double seconds) => Assert.Equal(TimeSpan.FromSeconds(seconds), Durations.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10 m")]
    [InlineData("m10")]
    public void Anything_else_is_refused_with_the_text(string text) => Assert.Contains($"\"{text}\"", Assert.Throws<FormatException>(() => Durations.Parse(text)).Message);
}
