using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Hosting;
using Ops.Operator.Policies;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Operator.Tests.Policies;

/// <summary>The day's artifact bytes per namespace, kept in the operator's namespace: summed as commands finish, read again by a new leader, reset at midnight UTC.</summary>
public sealed class ArtifactLedgerTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 23, 0, 0, TimeSpan.Zero));
    private readonly IOptions<OperatorOptions> _options = Options.Create(new OperatorOptions { Namespace = "ops-system", ServiceName = "ops-operator" });
    private SandboxServer _sandbox = null!;
    private Kubernetes _client = null!;

    public async ValueTask InitializeAsync()
    {
        _sandbox = await SandboxFixture.StartAsync(new SandboxOptions());
        _client = SandboxFixture.CreateClient(_sandbox);
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "ops-system" } }, cancellationToken: _ct);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _sandbox.DisposeAsync();
    }

    private ArtifactLedger Ledger() => new(_client, _options, _clock, NullLogger<ArtifactLedger>.Instance);

    private static V1Alpha1DiagnosticCommand Finished(string ns, params long[] sizes) => new()
    {
        Metadata = new V1ObjectMeta { Name = "c", NamespaceProperty = ns },
        Status = new() { Results = [new() { Artifacts = [.. sizes.Select(size => new V1Alpha1DiagnosticCommand.ArtifactRef { Name = "a", SizeBytes = size })] }] },
    };

    [Fact]
    public async Task Finished_commands_add_up_per_namespace_and_a_new_leader_reads_the_same_count()
    {
        using var leader = Ledger();
        await leader.AddAsync(Finished("shop", 1000, 500), _ct);
        await leader.AddAsync(Finished("shop", 250), _ct);
        await leader.AddAsync(Finished("web", 7), _ct);
        await leader.AddAsync(Finished("web"), _ct);

        using var next = Ledger();

        Assert.Equal((1750, 7), (await leader.WrittenTodayAsync("shop", _ct), await leader.WrittenTodayAsync("web", _ct)));
        Assert.Equal((1750, 7, 0), (await next.WrittenTodayAsync("shop", _ct), await next.WrittenTodayAsync("web", _ct), await next.WrittenTodayAsync("other", _ct)));
        var stored = await _client.CoreV1.ReadNamespacedConfigMapAsync("ops-operator-artifact-ledger", "ops-system", cancellationToken: _ct);
        Assert.Equal("2026-11-30 1750", stored.Data["shop"]);
    }

    [Fact]
    public async Task The_count_starts_again_at_midnight_utc()
    {
        using var ledger = Ledger();
        await ledger.AddAsync(Finished("shop", 1000), _ct);

        _clock.Advance(TimeSpan.FromHours(1));
        var nextDay = await ledger.WrittenTodayAsync("shop", _ct);
        await ledger.AddAsync(Finished("shop", 5), _ct);

        Assert.Equal(0, nextDay);
        Assert.Equal(5, await Ledger().WrittenTodayAsync("shop", _ct));
        Assert.Equal(["shop"], (await _client.CoreV1.ReadNamespacedConfigMapAsync("ops-operator-artifact-ledger", "ops-system", cancellationToken: _ct)).Data.Keys);
    }
}
