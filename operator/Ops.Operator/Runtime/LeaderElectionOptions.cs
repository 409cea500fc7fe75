using System.ComponentModel.DataAnnotations;

namespace Ops.Operator.Runtime;

/// <summary>Leader election on a coordination.k8s.io Lease (defaults 15 s / 10 s / 2 s, as controller-runtime).</summary>
public sealed record LeaderElectionOptions
{
    [Required] public required string Namespace { get; init; }
    [Required] public required string LeaseName { get; init; }
    /// <summary>Who this replica is (the pod name in a cluster).</summary>
    [Required] public required string Identity { get; init; }
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>A leader that could not renew for this long steps down.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Give the lease up on shutdown so another replica takes over at once.</summary>
    public bool ReleaseOnCancel { get; init; } = true;
}
