using System.Net;
using k8s;
using k8s.Models;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class SelectorTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private async Task<string> SeedAsync()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("web-prod", new() { ["app"] = "web", ["env"] = "prod" }), ns, cancellationToken: _ct);
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("web-dev", new() { ["app"] = "web", ["env"] = "dev" }), ns, cancellationToken: _ct);
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("db", new() { ["app"] = "db", ["legacy"] = "true" }), ns, cancellationToken: _ct);
        return ns;
    }

    private async Task<string[]> NamesAsync(string ns, string? labels = null, string? fields = null) =>
        [.. (await sandbox.Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: labels, fieldSelector: fields, cancellationToken: _ct)).Items.Select(c => c.Metadata.Name).Order()];

    [Theory]
    [InlineData("app=web", "web-dev,web-prod")]
    [InlineData("app==web,env!=dev", "web-prod")]
    [InlineData("env in (prod, staging)", "web-prod")]
    [InlineData("env notin (prod)", "db,kube-root-ca.crt,web-dev")]
    [InlineData("legacy", "db")]
    [InlineData("!legacy,app", "web-dev,web-prod")]
    [InlineData("", "db,kube-root-ca.crt,web-dev,web-prod")]
    public async Task Label_selectors_match_as_on_a_real_cluster(string selector, string expected)
    {
        var ns = await SeedAsync();

        Assert.Equal(expected.Split(','), await NamesAsync(ns, labels: selector));
    }

    [Fact]
    public async Task Field_selectors_match_name_namespace_and_pod_node()
    {
        var ns = await SeedAsync();
        Assert.Equal(["db"], await NamesAsync(ns, fields: "metadata.name=db"));
        Assert.Equal(["kube-root-ca.crt", "web-dev", "web-prod"], await NamesAsync(ns, fields: $"metadata.name!=db,metadata.namespace={ns}"));

        await sandbox.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "on-a" },
            Spec = new V1PodSpec { NodeName = "node-a", Containers = [new V1Container { Name = "c", Image = "i" }] },
        }, ns, cancellationToken: _ct);
        var onA = await sandbox.Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName=node-a", cancellationToken: _ct);
        Assert.Contains(onA.Items, p => p.Metadata.Name == "on-a" && p.Metadata.NamespaceProperty == ns);
        Assert.Empty((await sandbox.Client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "spec.nodeName=node-b", cancellationToken: _ct)).Items);
    }

    [Theory]
    [InlineData("app in (web", "labelSelector")]
    [InlineData("app=(x)", "labelSelector")]
    [InlineData("spec.nope=1", "fieldSelector")]
    [InlineData("metadata.name", "fieldSelector")]
    public async Task Malformed_or_unsupported_selectors_are_400(string selector, string kind)
    {
        var ns = await SeedAsync();
        var error = await ApiError.From(() => kind == "labelSelector"
            ? sandbox.Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: selector, cancellationToken: _ct)
            : sandbox.Client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: selector, cancellationToken: _ct));

        Assert.Equal(HttpStatusCode.BadRequest, error.Code);
        Assert.Equal("BadRequest", error.Status.Reason());
    }
}
