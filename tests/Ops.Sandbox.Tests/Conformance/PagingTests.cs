using System.Net;
using k8s;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class PagingTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Limit_and_continue_page_through_a_consistent_snapshot()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        for (var i = 0; i < 7; i++) await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap($"cm-{i}"), ns, cancellationToken: _ct);

        var first = await sandbox.Client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 3, cancellationToken: _ct);
        Assert.Equal(3, first.Items.Count);
        // 7, and the kube-root-ca.crt every namespace has.
        Assert.Equal(5, first.Metadata.RemainingItemCount);
        Assert.False(string.IsNullOrEmpty(first.Metadata.ContinueProperty));

        // Changes after the first page do not show on later pages of the same list.
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("cm-9"), ns, cancellationToken: _ct);
        await sandbox.Client.CoreV1.DeleteNamespacedConfigMapAsync("cm-6", ns, cancellationToken: _ct);

        var names = first.Items.Select(c => c.Metadata.Name).ToList();
        var token = first.Metadata.ContinueProperty;
        while (!string.IsNullOrEmpty(token))
        {
            var page = await sandbox.Client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 3, continueParameter: token, cancellationToken: _ct);
            Assert.Equal(first.Metadata.ResourceVersion, page.Metadata.ResourceVersion);
            names.AddRange(page.Items.Select(c => c.Metadata.Name));
            token = page.Metadata.ContinueProperty;
        }
        Assert.Equal([.. Enumerable.Range(0, 7).Select(i => $"cm-{i}"), "kube-root-ca.crt"], names);
    }

    [Fact]
    public async Task A_garbled_continue_token_is_400()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var error = await ApiError.From(() => sandbox.Client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 1, continueParameter: "!!not-a-token!!", cancellationToken: _ct));

        Assert.Equal(HttpStatusCode.BadRequest, error.Code);
    }
}
