using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Models;
using Ops.ControllerRuntime.LeaderElection;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.ControllerRuntime.Tests.LeaderElection;

/// <summary>
/// The elector through API outages, with real time and a real sandbox behind a handler that fails the
/// lease requests as the transport does. Settings scaled down from 15/10/2 s: lease 3 s, renew deadline
/// 2 s, retry 0.4 s, so a leader steps down at most 2.4 s after its last renewal was sent.
/// </summary>
public sealed class LeaseLeaderElectorOutageTests : IAsyncLifetime
{
    private static readonly LeaderElectionOptions Settings = new()
    {
        Namespace = "default", LeaseName = "ops-operator", Identity = "x",
        LeaseDuration = TimeSpan.FromSeconds(3), RenewDeadline = TimeSpan.FromSeconds(2), RetryPeriod = TimeSpan.FromSeconds(0.4),
    };

    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly List<Kubernetes> _clients = [];
    private SandboxServer _sandbox = null!;

    public async ValueTask InitializeAsync() => _sandbox = await SandboxFixture.StartAsync(new SandboxOptions(), applyCrds: false);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        await _sandbox.DisposeAsync();
    }

    private (LeaseLeaderElector Elector, ApiFaults Faults, RecordingLogger Log) Replica(string identity)
    {
        var faults = new ApiFaults();
        var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_sandbox.KubeconfigPath), faults);
        _clients.Add(client);
        var log = new RecordingLogger();
        return (new LeaseLeaderElector(client, Settings with { Identity = identity }, TimeProvider.System, log), faults, log);
    }

    private static bool IsLease(HttpRequestMessage request) => request.RequestUri!.AbsolutePath.Contains("/leases/", StringComparison.Ordinal)
        || request.RequestUri.AbsolutePath.EndsWith("/leases", StringComparison.Ordinal);

    /// <summary>What SocketsHttpHandler throws, unwrapped, when the API server resets a connection it has just accepted.</summary>
    private static SocketException ResetAfterConnect() => new((int)SocketError.NotConnected);

    /// <summary>Campaigns until <paramref name="stop"/>; each term started is counted through <paramref name="terms"/>.</summary>
    private static Task Campaign(LeaseLeaderElector elector, Action<int> terms, CancellationToken stop)
    {
        var count = 0;
        return elector.RunAsync(async leading =>
        {
            terms(Interlocked.Increment(ref count));
            await Task.Delay(Timeout.Infinite, leading);
        }, stop);
    }

    [Fact]
    public async Task A_leader_and_a_stand_by_ride_out_an_outage_shorter_than_the_renew_deadline_whatever_the_transport_throws()
    {
        var (leader, leaderFaults, _) = Replica("a");
        var (standBy, standByFaults, _) = Replica("b");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        int leaderTerms = 0, standByTerms = 0;
        var leading = Campaign(leader, t => leaderTerms = t, stop.Token);
        await Eventually.True(() => Task.FromResult(leader.IsLeader), "a to lead");
        var standing = Campaign(standBy, t => standByTerms = t, stop.Token);
        await Task.Delay(Settings.RetryPeriod * 2, _ct);

        // 1.5 s of lease requests failing as a restarting API server fails them: less than the renew deadline.
        leaderFaults.Throw(r => IsLease(r) ? ResetAfterConnect() : null);
        standByFaults.Throw(r => IsLease(r) ? ResetAfterConnect() : null);
        await Task.Delay(TimeSpan.FromSeconds(1.5), _ct);
        leaderFaults.Heal();
        standByFaults.Heal();
        await Task.Delay(Settings.LeaseDuration + Settings.RetryPeriod, _ct);

        Assert.True(leaderFaults.Faulted > 0 && standByFaults.Faulted > 0, "the outage reached both replicas");
        Assert.False(leading.IsCompleted, $"the leader's campaign ended: {leading.Exception?.GetBaseException().Message}");
        Assert.False(standing.IsCompleted, $"the stand-by's campaign ended: {standing.Exception?.GetBaseException().Message}");
        Assert.True(leader.IsLeader, "the leader kept leading");
        Assert.Equal(1, leaderTerms);
        Assert.False(standBy.IsLeader);
        Assert.Equal(0, standByTerms);
        await stop.CancelAsync();
        await Task.WhenAll(leading, standing);
    }

    [Fact]
    public async Task A_leader_cut_off_past_the_renew_deadline_steps_down_before_the_lease_expires_and_says_why()
    {
        var (leader, faults, log) = Replica("a");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        var leading = Campaign(leader, _ => { }, stop.Token);
        await Eventually.True(() => Task.FromResult(leader.IsLeader), "a to lead");
        var steppedDown = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        leader.LeadershipChanged += leads =>
        {
            if (!leads) steppedDown.TrySetResult(DateTimeOffset.UtcNow);
        };

        faults.Throw(r => IsLease(r) ? ResetAfterConnect() : null);
        var stopped = await steppedDown.Task.WaitAsync(TimeSpan.FromSeconds(10), _ct);

        // The lease holds the time its last renewal was sent: the leader tried for at least the renew deadline
        // after that, and stopped before another replica could take the lease (the lease duration after it).
        using var admin = SandboxFixture.CreateClient(_sandbox);
        var renewed = (await admin.CoordinationV1.ReadNamespacedLeaseAsync(Settings.LeaseName, Settings.Namespace, cancellationToken: _ct)).Spec.RenewTime!.Value;
        var after = stopped - new DateTimeOffset(DateTime.SpecifyKind(renewed, DateTimeKind.Utc));
        Assert.InRange(after, Settings.RenewDeadline, Settings.LeaseDuration - TimeSpan.FromMilliseconds(1));
        var why = Assert.Single(log.Messages(Microsoft.Extensions.Logging.LogLevel.Error));
        Assert.Contains("Stopping leading: the lease ops-operator was last renewed at", why, StringComparison.Ordinal);
        Assert.Contains("SocketException", why, StringComparison.Ordinal);
        await stop.CancelAsync();
        await leading;
    }

    [Fact]
    public async Task A_conflict_on_renewal_is_tried_again_and_another_holder_on_the_lease_stops_the_leader_at_once()
    {
        var (leader, faults, log) = Replica("a");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        var terms = 0;
        var leading = Campaign(leader, t => terms = t, stop.Token);
        await Eventually.True(() => Task.FromResult(leader.IsLeader), "a to lead");

        // Someone edited the lease between the leader's read and write: a 409 is not a lost lease. Exactly three
        // renewals conflict (about 1.2 s, inside the renew deadline), however slowly this test sees them: more, under
        // load, would be an outage longer than the deadline, after which stepping down is right.
        var conflicts = 0;
        faults.Answer(r => IsLease(r) && r.Method == HttpMethod.Put && Interlocked.Increment(ref conflicts) <= 3 ? HttpStatusCode.Conflict : null);
        await Eventually.True(() => Task.FromResult(faults.Faulted >= 3), "three renewals to conflict");
        faults.Heal();
        await Task.Delay(Settings.RetryPeriod * 2, _ct);
        Assert.True(leader.IsLeader, "a conflict made the leader step down");

        // Another holder, written with a fresh renewal: the leader stops within one retry period.
        using var admin = SandboxFixture.CreateClient(_sandbox);
        // The leader renews meanwhile, so this write can itself meet a 409: read again and retry, as any writer of a Lease does.
        for (var attempt = 1; ; attempt++)
        {
            var lease = await admin.CoordinationV1.ReadNamespacedLeaseAsync(Settings.LeaseName, Settings.Namespace, cancellationToken: _ct);
            lease.Spec.HolderIdentity = "b";
            lease.Spec.RenewTime = DateTime.UtcNow;
            lease.Spec.LeaseDurationSeconds = 30;
            try
            {
                await admin.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, Settings.LeaseName, Settings.Namespace, cancellationToken: _ct);
                break;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < 10)
            {
            }
        }
        var taken = DateTimeOffset.UtcNow;
        await Eventually.True(() => Task.FromResult(!leader.IsLeader), "a to stop leading", TimeSpan.FromSeconds(5));
        Assert.True(DateTimeOffset.UtcNow - taken < Settings.RetryPeriod * 3, $"a went on leading {DateTimeOffset.UtcNow - taken} after b held the lease");
        Assert.Contains(log.Messages(), m => m == "Stopping leading: b holds the lease ops-operator now");
        Assert.Equal(1, terms);
        await stop.CancelAsync();
        await leading;
    }
}
