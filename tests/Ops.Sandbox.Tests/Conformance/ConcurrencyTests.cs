using System.Net;
using k8s;
using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class ConcurrencyTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Update_with_a_stale_resource_version_is_409_Conflict()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var original = await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("cm"), ns, cancellationToken: _ct);
        original.Data["key"] = "first";
        await sandbox.Client.CoreV1.ReplaceNamespacedConfigMapAsync(original, "cm", ns, cancellationToken: _ct);

        original.Data["key"] = "second";
        var error = await ApiError.From(() => sandbox.Client.CoreV1.ReplaceNamespacedConfigMapAsync(original, "cm", ns, cancellationToken: _ct));

        Assert.Equal(HttpStatusCode.Conflict, error.Code);
        Assert.Equal("Conflict", error.Status.Reason());
        Assert.Contains("the object has been modified", error.Status.Message());
        var stored = await sandbox.Client.CoreV1.ReadNamespacedConfigMapAsync("cm", ns, cancellationToken: _ct);
        Assert.Equal("first", stored.Data["key"]);
    }

    [Fact]
    public async Task Concurrent_writers_on_fresh_reads_each_land_exactly_once()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("counter", data: new() { ["n"] = "0" }), ns, cancellationToken: _ct);
        var conflicts = 0;

        async Task IncrementAsync()
        {
            while (true)
            {
                var cm = await sandbox.Client.CoreV1.ReadNamespacedConfigMapAsync("counter", ns, cancellationToken: _ct);
                cm.Data["n"] = (int.Parse(cm.Data["n"]) + 1).ToString();
                try
                {
                    await sandbox.Client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "counter", ns, cancellationToken: _ct);
                    return;
                }
                catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => IncrementAsync()));

        var final = await sandbox.Client.CoreV1.ReadNamespacedConfigMapAsync("counter", ns, cancellationToken: _ct);
        Assert.Equal("20", final.Data["n"]);
    }

    [Fact]
    public async Task Custom_resource_update_without_resource_version_is_rejected()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var created = await Resources.Commands(sandbox.Client).CreateNamespacedAsync(Resources.Command("cmd"), ns, _ct);
        created.Metadata.ResourceVersion = null;

        var error = await ApiError.From(() => Resources.Commands(sandbox.Client).ReplaceNamespacedAsync(created, ns, "cmd", _ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Code);
        Assert.Contains("metadata.resourceVersion", error.Status.Message());
    }

    [Fact]
    public async Task An_update_that_changes_nothing_writes_nothing()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var created = await Resources.Commands(sandbox.Client).CreateNamespacedAsync(Resources.Command("same"), ns, _ct);
        var store = sandbox.Server.Service.Store;
        var watcher = store.Watch("diagnosticcommands.ops.dev", o => o.Namespace == ns, long.Parse(created.Metadata.ResourceVersion), bookmarks: false);
        try
        {
            var replaced = await Resources.Commands(sandbox.Client).ReplaceNamespacedAsync(created, ns, "same", _ct);
            var patched = await Resources.Commands(sandbox.Client).PatchNamespacedAsync<V1Alpha1DiagnosticCommand>(
                new V1Patch("""{"spec":{"action":"processes"}}""", V1Patch.PatchType.MergePatch), ns, "same", _ct);

            Assert.Equal(created.Metadata.ResourceVersion, replaced.Metadata.ResourceVersion);
            Assert.Equal(created.Metadata.ResourceVersion, patched.Metadata.ResourceVersion);
            // Events reach the watcher in commit order: the next one must be the sentinel's, written after the no-op writes.
            await Resources.Commands(sandbox.Client).CreateNamespacedAsync(Resources.Command("sentinel"), ns, _ct);
            var next = await watcher.Events.ReadAsync(_ct).AsTask().WaitAsync(Timeouts.WatchEvent, _ct);
            Assert.True(next.Object?.Name == "sentinel", $"a no-op write produced a {next.Type} event for {next.Object?.Name}");
        }
        finally
        {
            store.StopWatching(watcher);
        }
    }
}
