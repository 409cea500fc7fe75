using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Ops.ControllerRuntime.LeaderElection;

/// <summary>
/// Leader election on a Lease. A follower judges the holder's lease expired from the local time at
/// which it last saw the lease record change plus the lease duration the holder stored on it (not
/// its own setting, and not the holder's clock), as client-go does. A leader that finds another holder
/// stops leading at once; one that cannot renew keeps trying until the renew deadline and stops before
/// anyone else can start. An API server that cannot be reached, whatever the client library throws for
/// it, is a failed attempt and never ends the campaign.
/// </summary>
public sealed class LeaseLeaderElector
{
    private readonly IKubernetes _client;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private string? _observedRecord;
    private string? _observedHolder;
    private DateTimeOffset _observedAt;
    private string _lastFailure = "";
    private volatile bool _isLeader;

    public LeaseLeaderElector(IKubernetes client, LeaderElectionOptions options, TimeProvider clock, ILogger logger) =>
        (_client, _options, _clock, _logger) = (client, options.Validated(), clock, logger);

    public bool IsLeader => _isLeader;

    public string Identity => _options.Identity;

    /// <summary>Raised with true when this replica starts leading and false when it stops.</summary>
    public event Action<bool>? LeadershipChanged;

    /// <summary>Campaigns until cancelled; runs <paramref name="lead"/> while leading and cancels it on losing the lease.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                DateTimeOffset started;
                while (await AttemptAsync(_options.AttemptTimeout, out started, cancellationToken) != LeaseAttempt.Leader)
                {
                    await Task.Delay(Jitter(_options.RetryPeriod), _clock, cancellationToken);
                }
                await LeadAsync(lead, started, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            SetLeader(false);
            if (_options.ReleaseOnCancel) await ReleaseAsync();
        }
    }

    private async Task LeadAsync(Func<CancellationToken, Task> lead, DateTimeOffset renewed, CancellationToken cancellationToken)
    {
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        SetLeader(true);
        var work = Task.Run(() => lead(leading.Token), CancellationToken.None);
        var failures = 0;
        try
        {
            while (true)
            {
                // After a failed try the next comes in a quarter period: renewal follows an API server's return within half a
                // second, not a whole period, the room an 8 s outage of the 12 s allowed lacked on a loaded machine.
                await Task.Delay(failures == 0 ? _options.RetryPeriod : _options.RetryPeriod / 4, _clock, cancellationToken);
                // As client-go's renew loop: tries go on for the renew deadline after the regular renewal was
                // due, each bounded by what is left of it, so the leader has stopped before the lease can expire
                // for anyone else (the deadline counts from when the last successful renewal was sent).
                var deadline = renewed + _options.RetryPeriod + _options.RenewDeadline;
                var left = deadline - _clock.GetUtcNow();
                var attempt = LeaseAttempt.Failed;
                if (left > TimeSpan.Zero)
                {
                    attempt = await AttemptAsync(left < _options.AttemptTimeout ? left : _options.AttemptTimeout, out var started, cancellationToken);
                    if (attempt == LeaseAttempt.Leader)
                    {
                        renewed = started;
                        failures = 0;
                        continue;
                    }
                    failures++;
                }
                if (attempt == LeaseAttempt.Follower)
                {
                    ElectorLog.LostToAnotherHolder(_logger, _options.LeaseName, _observedHolder ?? "another replica");
                    break;
                }
                if (_clock.GetUtcNow() >= deadline)
                {
                    ElectorLog.RenewDeadlinePassed(_logger, _options.LeaseName, renewed, _options.RetryPeriod + _options.RenewDeadline, failures, _lastFailure);
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

    /// <summary>One acquire-or-renew round trip, given at most <see cref="LeaderElectionOptions.AttemptTimeout"/>.</summary>
    public Task<LeaseAttempt> TryAcquireOrRenewAsync(CancellationToken cancellationToken) => AttemptAsync(_options.AttemptTimeout, out _, cancellationToken);

    /// <summary>
    /// One round trip within <paramref name="timeout"/>: a request that hangs (a connection black-holed by an API server restart
    /// or a network fault) or fails in any way fails the attempt instead of ending the campaign. SocketsHttpHandler does not wrap
    /// every transport error in an HttpRequestException (a reset just after connecting is a bare SocketException), so nothing
    /// but the caller's own cancellation is let through.
    /// </summary>
    private Task<LeaseAttempt> AttemptAsync(TimeSpan timeout, out DateTimeOffset started, CancellationToken cancellationToken)
    {
        started = _clock.GetUtcNow();
        return Attempt(timeout, cancellationToken);

        async Task<LeaseAttempt> Attempt(TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var bounded = new CancellationTokenSource(timeout, _clock);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bounded.Token);
            try
            {
                return await AcquireOrRenewAsync(attempt.Token);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                _lastFailure = e is OperationCanceledException ? $"no answer within {timeout}" : $"{e.GetType().Name}: {e.Message}";
                ElectorLog.AttemptFailed(_logger, _options.LeaseName, _lastFailure);
                return LeaseAttempt.Failed;
            }
        }
    }

    private async Task<LeaseAttempt> AcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        V1Lease lease;
        try
        {
            lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _options.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return await WriteAsync(() => _client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = _options.LeaseName, NamespaceProperty = _options.Namespace },
                Spec = Claim(new V1LeaseSpec { LeaseTransitions = 0 }, now),
            }, _options.Namespace, cancellationToken: cancellationToken));
        }

        var spec = lease.Spec ??= new V1LeaseSpec();
        Observe(spec);
        if (spec.HolderIdentity == _options.Identity)
        {
            spec.RenewTime = now;
            spec.LeaseDurationSeconds = (int)_options.LeaseDuration.TotalSeconds;
        }
        else
        {
            var heldFor = TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? (int)_options.LeaseDuration.TotalSeconds);
            if (!string.IsNullOrEmpty(spec.HolderIdentity) && _observedAt + heldFor > _clock.GetUtcNow()) return LeaseAttempt.Follower;
            Claim(spec, now);
            spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
        }
        return await WriteAsync(() => _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _options.Namespace, cancellationToken: cancellationToken));
    }

    private void Observe(V1LeaseSpec spec)
    {
        var record = $"{spec.HolderIdentity}|{spec.RenewTime:O}|{spec.LeaseDurationSeconds}";
        _observedHolder = spec.HolderIdentity;
        if (record == _observedRecord) return;
        _observedRecord = record;
        _observedAt = _clock.GetUtcNow();
    }

    private V1LeaseSpec Claim(V1LeaseSpec spec, DateTime now)
    {
        spec.HolderIdentity = _options.Identity;
        spec.AcquireTime = now;
        spec.RenewTime = now;
        spec.LeaseDurationSeconds = (int)_options.LeaseDuration.TotalSeconds;
        return spec;
    }

    private async Task<LeaseAttempt> WriteAsync(Func<Task<V1Lease>> write)
    {
        try
        {
            Observe((await write()).Spec);
            return LeaseAttempt.Leader;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict)
        {
            // The lease changed between the read and the write (another replica, or someone editing it):
            // the next attempt reads who holds it now. A leader is not lost until a read shows another holder.
            _lastFailure = "the lease changed between read and write";
            ElectorLog.AttemptFailed(_logger, _options.LeaseName, _lastFailure);
            return LeaseAttempt.Failed;
        }
    }

    private async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.AttemptTimeout, _clock);
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _options.Namespace, cancellationToken: timeout.Token);
            if (lease.Spec?.HolderIdentity != _options.Identity) return;
            lease.Spec.HolderIdentity = null;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = _clock.GetUtcNow().UtcDateTime;
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _options.Namespace, cancellationToken: timeout.Token);
            ElectorLog.Released(_logger, _options.LeaseName);
        }
        catch (Exception e)
        {
            ElectorLog.ReleaseFailed(_logger, _options.LeaseName, e);
        }
    }

    private void SetLeader(bool leading)
    {
        if (_isLeader == leading) return;
        _isLeader = leading;
        ElectorLog.LeadershipChanged(_logger, _options.Identity, leading ? "started" : "stopped", _options.LeaseName);
        LeadershipChanged?.Invoke(leading);
    }

    private static TimeSpan Jitter(TimeSpan delay) => delay * (1 + Random.Shared.NextDouble() * 0.2);
}
