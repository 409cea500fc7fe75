using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;

namespace Ops.Operator.Tests.Controllers.DiagnosticCommands;

public sealed class FanOutRequestTests
{
    private static FanOutRequest Request(int jitter, int targets = 500) =>
        new("uid-1", "ns", new V1Alpha1DiagnosticCommand.CommandSpec { Action = "node.info" }, [.. Enumerable.Range(0, targets).Select(i => CommandTarget.ForNode($"node-{i}"))], jitter);

    [Fact]
    public void Jitter_spreads_targets_over_the_window_the_same_way_on_every_replay()
    {
        var request = Request(jitter: 30);

        var delays = request.Targets.Select(request.StartDelayOf).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromSeconds(30)));
        Assert.Equal(delays, Request(jitter: 30).Targets.Select(request.StartDelayOf));
        // Spread, not bunched: every 5-second slice of the window gets some of the 500 targets.
        Assert.Equal(6, delays.Select(d => (int)(d.TotalSeconds / 5)).Distinct().Count());
        Assert.All(Request(jitter: 0).Targets, t => Assert.Equal(TimeSpan.Zero, Request(jitter: 0).StartDelayOf(t)));
    }
}
