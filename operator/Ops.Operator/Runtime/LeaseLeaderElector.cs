using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Ops.Operator.Runtime;

/// <summary>
/// Leader election on a Lease. A follower judges the holder's lease expired from the local time at
/// which it last saw the lease record change plus the lease duration the holder stored on it (not
/// its own setting, and not the holder's clock), as client-go does. A leader that cannot renew within
/// the renew deadline, or that finds another holder, stops leading before anyone else can start.
/// </summary>
public sealed class LeaseLeaderElector(IKubernetes client, LeaderElectionOptions options, TimeProvider clock, ILogger logger)
{
    private string? _observedRecord;
    private DateTimeOffset _observedAt;
    private volatile bool _isLeader;

    public bool IsLeader => _isLeader;

    public string Identity => options.Identity;

    /// <summary>Raised with true when this replica starts leading and false when it stops.</summary>
    public event Action<bool>? LeadershipChanged;

    /// <summary>Campaigns until cancelled; runs <paramref name="lead"/> while leading and cancels it on losing the lease.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                while (await TryAcquireOrRenewAsync(cancellationToken) != LeaseAttempt.Leader)
                {
                    await Task.Delay(Jitter(options.RetryPeriod), clock, cancellationToken);
                }
                await LeadAsync(lead, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            SetLeader(false);
            if (options.ReleaseOnCancel) await ReleaseAsync();
        }
    }

    private async Task LeadAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        SetLeader(true);
        var work = Task.Run(() => lead(leading.Token), CancellationToken.None);
        var renewed = clock.GetUtcNow();
        try
        {
            while (true)
            {
                await Task.Delay(options.RetryPeriod, clock, cancellationToken);
                var attempt = await TryAcquireOrRenewAsync(cancellationToken);
                if (attempt == LeaseAttempt.Leader) renewed = clock.GetUtcNow();
                else if (attempt == LeaseAttempt.Follower || clock.GetUtcNow() - renewed > options.RenewDeadline)
                {
                    logger.LogWarning("Lost the lease {Lease} ({Attempt}); stopping leading", options.LeaseName, attempt);
                    break;
                }
            }
        }
        finally
        {
            SetLeader(false);
            await leading.CancelAsync();
            try
            {
                await work;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>
    /// One acquire-or-renew round trip, given at most half the renew deadline: a request that hangs (a
    /// connection black-holed by an API server restart or a network fault) fails the attempt instead of
    /// stopping the campaign, so a stand-by keeps trying and a leader steps down in time.
    /// </summary>
    public async Task<LeaseAttempt> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.RenewDeadline / 2, clock);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await AcquireOrRenewAsync(attempt.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("No answer about the lease {Lease} within {Timeout}", options.LeaseName, options.RenewDeadline / 2);
            return LeaseAttempt.Failed;
        }
    }

    private async Task<LeaseAttempt> AcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        V1Lease lease;
        try
        {
            lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(options.LeaseName, options.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return await WriteAsync(() => client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = options.LeaseName, NamespaceProperty = options.Namespace },
                Spec = Claim(new V1LeaseSpec { LeaseTransitions = 0 }, now),
            }, options.Namespace, cancellationToken: cancellationToken));
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            logger.LogWarning(e, "Could not read the lease {Lease}", options.LeaseName);
            return LeaseAttempt.Failed;
        }

        var spec = lease.Spec ??= new V1LeaseSpec();
        var record = $"{spec.HolderIdentity}|{spec.RenewTime:O}|{spec.LeaseDurationSeconds}";
        if (record != _observedRecord)
        {
            _observedRecord = record;
            _observedAt = clock.GetUtcNow();
        }

        if (spec.HolderIdentity == options.Identity)
        {
            spec.RenewTime = now;
            spec.LeaseDurationSeconds = (int)options.LeaseDuration.TotalSeconds;
        }
        else
        {
            var heldFor = TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? (int)options.LeaseDuration.TotalSeconds);
            if (!string.IsNullOrEmpty(spec.HolderIdentity) && _observedAt + heldFor > clock.GetUtcNow()) return LeaseAttempt.Follower;
            Claim(spec, now);
            spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
        }
        return await WriteAsync(() => client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, options.LeaseName, options.Namespace, cancellationToken: cancellationToken));
    }

    private V1LeaseSpec Claim(V1LeaseSpec spec, DateTime now)
    {
        spec.HolderIdentity = options.Identity;
        spec.AcquireTime = now;
        spec.RenewTime = now;
        spec.LeaseDurationSeconds = (int)options.LeaseDuration.TotalSeconds;
        return spec;
    }

    private async Task<LeaseAttempt> WriteAsync(Func<Task<V1Lease>> write)
    {
        try
        {
            var written = await write();
            _observedRecord = $"{written.Spec.HolderIdentity}|{written.Spec.RenewTime:O}|{written.Spec.LeaseDurationSeconds}";
            _observedAt = clock.GetUtcNow();
            return LeaseAttempt.Leader;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict)
        {
            // Someone else wrote the lease first: they hold it now.
            return LeaseAttempt.Follower;
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            logger.LogWarning(e, "Could not write the lease {Lease}", options.LeaseName);
            return LeaseAttempt.Failed;
        }
    }

    private async Task ReleaseAsync()
    {
        try
        {
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(options.LeaseName, options.Namespace);
            if (lease.Spec?.HolderIdentity != options.Identity) return;
            lease.Spec.HolderIdentity = null;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = clock.GetUtcNow().UtcDateTime;
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, options.LeaseName, options.Namespace);
            logger.LogInformation("Released the lease {Lease}", options.LeaseName);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            logger.LogWarning(e, "Could not release the lease {Lease}; another replica takes over when it expires", options.LeaseName);
        }
    }

    private void SetLeader(bool leading)
    {
        if (_isLeader == leading) return;
        _isLeader = leading;
        logger.LogInformation("{Identity} {Change} leading on {Lease}", options.Identity, leading ? "started" : "stopped", options.LeaseName);
        LeadershipChanged?.Invoke(leading);
    }

    private static TimeSpan Jitter(TimeSpan delay) => delay * (1 + Random.Shared.NextDouble() * 0.2);
}
