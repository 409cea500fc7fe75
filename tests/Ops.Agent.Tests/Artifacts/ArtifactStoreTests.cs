using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Ops.Agent.Artifacts;
using Ops.Agent.Hosting;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Artifacts;

public sealed class ArtifactStoreTests : IDisposable
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly string _data = TestWorkspace.CreateDirectory("artifacts-");

    private ArtifactStore Store(long budget = 1 << 20) => new(Options.Create(new AgentOptions
    {
        DataDirectory = _data,
        Artifacts = new ArtifactOptions { BudgetBytes = budget, Ttl = TimeSpan.FromHours(1) },
    }), TimeProvider.System, NullLogger<ArtifactStore>.Instance);

    [Fact]
    public async Task An_artifact_gets_its_size_and_sha256_and_expired_ones_are_deleted()
    {
        var store = Store();
        var fresh = await store.CreateAsync("uid-1", "pod/ns/p/c", "a.bin", "application/octet-stream", (s, ct) => s.WriteAsync(new byte[] { 1, 2, 3 }, ct).AsTask(), _ct);
        var old = await store.CreateAsync("uid-2", "pod/ns/p/c", "b.bin", "application/octet-stream", (s, ct) => s.WriteAsync(new byte[] { 4 }, ct).AsTask(), _ct);
        File.SetLastWriteTimeUtc(Path.Combine(store.Directory, old.Name), DateTime.UtcNow.AddHours(-2));

        store.DeleteExpired();

        Assert.Equal(3, fresh.SizeBytes);
        Assert.Equal("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81", fresh.Sha256);
        Assert.NotNull(store.Find(fresh.Name));
        Assert.Null(store.Find(old.Name));
    }

    [Fact]
    public async Task A_capture_that_outgrows_the_budget_is_stopped_and_leaves_nothing()
    {
        var store = Store(budget: 1 << 20);

        var error = await Assert.ThrowsAsync<ArtifactBudgetException>(() => store.CreateAsync("uid", "node/n", "big.bin", "application/octet-stream",
            async (s, ct) => { for (var i = 0; i < 20; i++) await s.WriteAsync(new byte[100_000], ct); }, _ct));

        Assert.StartsWith("the artifact would exceed this agent's artifact budget of 1 MiB", error.Message);
        Assert.Empty(Directory.EnumerateFiles(store.Directory));
        Assert.Equal(1 << 20, store.RemainingBytes);
    }

    [Theory]
    [InlineData("../secret")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("x.partial")]
    [InlineData("")]
    public void Unsafe_or_unfinished_names_are_never_found(string name) => Assert.Null(Store().Find(name));

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
