using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.AgentVersions;

namespace Ops.Operator.Tests.Controllers.AgentVersions;

public sealed class RolloutPlanTests
{
    private static V1Alpha1AgentVersion.RolloutStrategy Steps(params V1Alpha1AgentVersion.CanaryStep[] steps) => new() { Canary = new V1Alpha1AgentVersion.CanaryStrategy { Steps = [.. steps] } };

    [Fact]
    public void Steps_are_cumulative_node_counts_with_percentages_rounded_up()
    {
        var plan = RolloutPlan.For(Steps(new() { Nodes = 1 }, new() { Percent = 10 }, new() { Percent = 50, Pause = new() }, new() { Percent = 100 }), 15);

        Assert.Equal([(1, 1), (2, 2), (3, 8), (4, 15)], plan.Select(s => (s.Number, s.Nodes)));
        Assert.NotNull(plan[2].Pause);
    }

    [Fact]
    public void Steps_that_stop_short_of_the_fleet_get_a_final_step_for_the_rest()
    {
        Assert.Equal([1, 3, 10], RolloutPlan.For(Steps(new() { Nodes = 1 }, new() { Percent = 30 }), 10).Select(s => s.Nodes));
        Assert.Equal([10], RolloutPlan.For(null, 10).Select(s => s.Nodes));
    }

    [Fact]
    public void A_step_never_goes_backwards_or_beyond_the_fleet()
    {
        Assert.Equal([5, 5, 5], RolloutPlan.For(Steps(new() { Nodes = 50 }, new() { Nodes = 2 }, new() { Percent = 100 }), 5).Select(s => s.Nodes));
    }

    [Theory]
    [InlineData(null, 200, 1)]
    [InlineData("3", 200, 3)]
    [InlineData("0", 200, 1)]
    [InlineData("10%", 200, 20)]
    [InlineData("10%", 5, 1)]
    [InlineData("25%", 10, 3)]
    public void Max_unavailable_is_a_count_or_a_percentage_rounded_up_and_at_least_one(string? value, int nodes, int expected) =>
        Assert.Equal(expected, RolloutPlan.MaxUnavailable(value is null ? null : (IntOrString)value, nodes));
}
