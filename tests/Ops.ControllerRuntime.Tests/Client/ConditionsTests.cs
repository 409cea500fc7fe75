using k8s.Models;
using Ops.ControllerRuntime.Client;

namespace Ops.ControllerRuntime.Tests.Client;

public sealed class ConditionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, 250, TimeSpan.Zero);

    [Fact]
    public void The_transition_time_moves_only_when_the_status_does_and_is_kept_to_whole_seconds()
    {
        var conditions = new List<V1Condition>();

        Conditions.Set(conditions, "Ready", true, "Up", "first", 1, T0);
        Conditions.Set(conditions, "Ready", true, "StillUp", "second", 2, T0.AddMinutes(1));
        var unchangedStatus = conditions.Single();
        Assert.Equal(new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc), unchangedStatus.LastTransitionTime);
        Assert.Equal(("StillUp", "second", 2L), (unchangedStatus.Reason, unchangedStatus.Message, unchangedStatus.ObservedGeneration!.Value));

        Conditions.Set(conditions, "Ready", false, "Down", "third", 2, T0.AddMinutes(2));
        Assert.Equal(new DateTime(2026, 11, 23, 10, 2, 0, DateTimeKind.Utc), conditions.Single().LastTransitionTime);
        Assert.Equal("False", conditions.Single().Status);
    }
}
