using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Ops.ControllerRuntime.LeaderElection;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.ControllerRuntime.Tests.LeaderElection;

public sealed class LeaseLeaderElectorTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private static SandboxOptions Options() => new();

    private static LeaderElectionOptions Election(string identity, double leaseSeconds = 1, bool release = true) => new()
    {
        Namespace = "default",
        LeaseName = "ops-operator",
        Identity = identity,
        LeaseDuration = TimeSpan.FromSeconds(leaseSeconds),
        RenewDeadline = TimeSpan.FromSeconds(leaseSeconds * 0.7),
        RetryPeriod = TimeSpan.FromSeconds(leaseSeconds / 10),
        ReleaseOnCancel = release,
    };

    [Fact]
    public async Task A_follower_waits_for_the_lease_duration_the_holder_stored_not_its_own()
    {
        await using var sandbox = await SandboxFixture.StartAsync(Options());
        using var client = SandboxFixture.CreateClient(sandbox);
        await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "ops-operator" },
            Spec = new V1LeaseSpec { HolderIdentity = "other", LeaseDurationSeconds = 30, RenewTime = DateTime.UtcNow, LeaseTransitions = 3 },
        }, "default", cancellationToken: _ct);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var elector = new LeaseLeaderElector(client, Election("me", leaseSeconds: 1), clock, NullLogger.Instance);

        Assert.Equal(LeaseAttempt.Follower, await elector.TryAcquireOrRenewAsync(_ct));
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(LeaseAttempt.Follower, await elector.TryAcquireOrRenewAsync(_ct));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(LeaseAttempt.Leader, await elector.TryAcquireOrRenewAsync(_ct));

        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("ops-operator", "default", cancellationToken: _ct);
        Assert.Equal("me", lease.Spec.HolderIdentity);
        Assert.Equal(4, lease.Spec.LeaseTransitions);
        Assert.Equal(1, lease.Spec.LeaseDurationSeconds);
    }

    [Fact]
    public async Task An_attempt_whose_request_hangs_fails_within_half_the_renew_deadline_and_the_next_one_can_lead()
    {
        await using var sandbox = await SandboxFixture.StartAsync(Options());
        await using var proxy = new FaultyProxy(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, sandbox.Url.Port));
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(sandbox.KubeconfigPath);
        config.Host = $"https://127.0.0.1:{proxy.Endpoint.Port}";
        using var client = new Kubernetes(config);
        // Attempts get half the renew deadline: 2 s here, told apart from the whole deadline (4 s).
        var election = Election("me", leaseSeconds: 6) with { RenewDeadline = TimeSpan.FromSeconds(4) };
        var elector = new LeaseLeaderElector(client, election, TimeProvider.System, NullLogger.Instance);

        // The API server is reachable, but nothing comes back (a black-holed connection).
        proxy.Stall();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(LeaseAttempt.Failed, await elector.TryAcquireOrRenewAsync(_ct));
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(3.5));

        proxy.Resume();
        Assert.Equal(LeaseAttempt.Leader, await elector.TryAcquireOrRenewAsync(_ct));
    }

    [Fact]
    public async Task A_holder_that_keeps_renewing_keeps_the_lease()
    {
        await using var sandbox = await SandboxFixture.StartAsync(Options());
        using var client = SandboxFixture.CreateClient(sandbox);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var holder = new LeaseLeaderElector(client, Election("holder", leaseSeconds: 10), clock, NullLogger.Instance);
        var other = new LeaseLeaderElector(client, Election("other", leaseSeconds: 10), clock, NullLogger.Instance);

        Assert.Equal(LeaseAttempt.Leader, await holder.TryAcquireOrRenewAsync(_ct));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(LeaseAttempt.Follower, await other.TryAcquireOrRenewAsync(_ct));
            clock.Advance(TimeSpan.FromSeconds(6));
            Assert.Equal(LeaseAttempt.Leader, await holder.TryAcquireOrRenewAsync(_ct));
        }
    }

    private sealed class Replica(LeaseLeaderElector elector) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task? _run;
        public LeaseLeaderElector Elector => elector;
        public int Terms;

        public void Start() => _run = elector.RunAsync(async ct =>
        {
            Interlocked.Increment(ref Terms);
            await Task.Delay(Timeout.Infinite, ct);
        }, _stop.Token);

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            if (_run is not null) await _run;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }
    }

    private static async Task<(Task Watch, Func<int> Overlaps, CancellationTokenSource Stop)> WatchOverlapAsync(Replica a, Replica b)
    {
        var overlaps = 0;
        var stop = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (a.Elector.IsLeader && b.Elector.IsLeader) Interlocked.Increment(ref overlaps);
                await Task.Delay(5);
            }
        });
        await Task.Yield();
        return (watch, () => overlaps, stop);
    }

    [Fact]
    public async Task Two_replicas_fail_over_when_the_leader_stops_and_never_lead_together()
    {
        await using var sandbox = await SandboxFixture.StartAsync(Options());
        using var client = SandboxFixture.CreateClient(sandbox);
        await using var a = new Replica(new LeaseLeaderElector(client, Election("a"), TimeProvider.System, NullLogger.Instance));
        await using var b = new Replica(new LeaseLeaderElector(client, Election("b"), TimeProvider.System, NullLogger.Instance));
        var (watch, overlaps, stopWatching) = await WatchOverlapAsync(a, b);

        a.Start();
        await Eventually.True(() => Task.FromResult(a.Elector.IsLeader), "a to lead");
        b.Start();
        await Task.Delay(TimeSpan.FromSeconds(2), _ct);
        Assert.True(a.Elector.IsLeader);
        Assert.False(b.Elector.IsLeader);

        await a.StopAsync();
        await Eventually.True(() => Task.FromResult(b.Elector.IsLeader), "b to take over", TimeSpan.FromSeconds(5));

        await stopWatching.CancelAsync();
        await watch;
        Assert.Equal(0, overlaps());
        Assert.Equal(1, a.Terms);
        Assert.Equal(1, b.Terms);
    }

    [Fact]
    public async Task A_leader_that_dies_without_releasing_is_replaced_after_its_lease_expires()
    {
        await using var sandbox = await SandboxFixture.StartAsync(Options());
        using var client = SandboxFixture.CreateClient(sandbox);
        await using var a = new Replica(new LeaseLeaderElector(client, Election("a", release: false), TimeProvider.System, NullLogger.Instance));
        await using var b = new Replica(new LeaseLeaderElector(client, Election("b"), TimeProvider.System, NullLogger.Instance));

        a.Start();
        await Eventually.True(() => Task.FromResult(a.Elector.IsLeader), "a to lead");
        b.Start();
        await a.StopAsync();
        var stopped = DateTime.UtcNow;

        await Eventually.True(() => Task.FromResult(b.Elector.IsLeader), "b to take over", TimeSpan.FromSeconds(5));
        Assert.True(DateTime.UtcNow - stopped >= TimeSpan.FromSeconds(0.5), "b took an unexpired lease");
        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("ops-operator", "default", cancellationToken: _ct);
        Assert.Equal("b", lease.Spec.HolderIdentity);
    }
}
