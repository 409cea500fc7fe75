using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Ops.ControllerRuntime.Informers;
using Ops.Operator.Controllers.AgentVersions;

namespace Ops.Operator.Tests.Controllers.AgentVersions;

public sealed class AgentPodDeletionsTests
{
    private readonly FakeTimeProvider _clock = new(TestFleet.Now);

    private static ResourceEvent<V1Pod> Event(WatchEventType type, string uid, bool terminating = false) =>
        new(type, new V1Pod { Metadata = new V1ObjectMeta { Uid = uid, DeletionTimestamp = terminating ? TestFleet.Now.UtcDateTime : null } });

    [Fact]
    public void A_deletion_is_pending_until_the_informer_sees_the_pod_marked_or_gone()
    {
        var deletions = new AgentPodDeletions(_clock);
        deletions.Expect("a");
        deletions.Expect("b");

        deletions.Observe(Event(WatchEventType.Modified, "a"));
        Assert.True(deletions.IsPending("a"));
        deletions.Observe(Event(WatchEventType.Modified, "a", terminating: true));
        deletions.Observe(Event(WatchEventType.Deleted, "b"));

        Assert.False(deletions.IsPending("a"));
        Assert.False(deletions.IsPending("b"));
        Assert.False(deletions.IsPending("never-deleted"));
        Assert.Equal(0, deletions.Count);
    }

    [Fact]
    public void A_deletion_never_seen_is_given_up_after_the_timeout_and_a_failed_one_at_once()
    {
        var deletions = new AgentPodDeletions(_clock);
        deletions.Expect("lost");
        deletions.Expect("failed");
        deletions.Cancel("failed");
        Assert.False(deletions.IsPending("failed"));

        _clock.Advance(AgentPodDeletions.Timeout - TimeSpan.FromSeconds(1));
        Assert.True(deletions.IsPending("lost"));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(deletions.IsPending("lost"));
        Assert.Equal(0, deletions.Count);
    }
}
