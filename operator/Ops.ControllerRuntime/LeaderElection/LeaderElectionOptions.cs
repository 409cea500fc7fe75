using System.ComponentModel.DataAnnotations;

namespace Ops.ControllerRuntime.LeaderElection;

/// <summary>Leader election on a coordination.k8s.io Lease (defaults 15 s / 10 s / 2 s, as controller-runtime).</summary>
public sealed record LeaderElectionOptions
{
    [Required] public required string Namespace { get; init; }
    [Required] public required string LeaseName { get; init; }
    /// <summary>Who this replica is (the pod name in a cluster).</summary>
    [Required] public required string Identity { get; init; }
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>How long a leader goes on trying to renew, once a renewal is due, before it steps down.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Give the lease up on shutdown so another replica takes over at once.</summary>
    public bool ReleaseOnCancel { get; init; } = true;

    /// <summary>The most one round trip to the API server may take: half the renew deadline, so a hung request leaves time for another.</summary>
    public TimeSpan AttemptTimeout => RenewDeadline / 2;

    /// <summary>
    /// A leader steps down at most <see cref="RetryPeriod"/> + <see cref="RenewDeadline"/> after its last
    /// renewal was sent; that must come before another replica may take the lease.
    /// </summary>
    public void Validate()
    {
        if (RetryPeriod <= TimeSpan.Zero || RenewDeadline <= TimeSpan.Zero) throw new ArgumentException("the retry period and the renew deadline must be positive");
        if (RetryPeriod + RenewDeadline >= LeaseDuration)
        {
            throw new ArgumentException($"the retry period ({RetryPeriod}) plus the renew deadline ({RenewDeadline}) must be shorter than the lease duration ({LeaseDuration})");
        }
    }

    /// <summary>These options, once <see cref="Validate"/> has passed.</summary>
    public LeaderElectionOptions Validated()
    {
        Validate();
        return this;
    }
}
