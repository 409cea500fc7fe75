using System.Net;
using k8s;
using k8s.Models;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

/// <summary>Parts of the API's behaviour docs/sandbox.md promises that no other test reached: deletecollection, the default ServiceAccount, HTTP/2.</summary>
public sealed class CollectionAndProtocolTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deletecollection_deletes_what_the_selector_chooses_and_nothing_else()
    {
        var ns = await sandbox.CreateNamespaceAsync("dc");
        foreach (var (name, team) in new[] { ("a", "red"), ("b", "red"), ("c", "blue") })
        {
            await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
            {
                Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["team"] = team } },
            }, ns, cancellationToken: _ct);
        }

        await sandbox.Client.CoreV1.DeleteCollectionNamespacedConfigMapAsync(ns, labelSelector: "team=red", cancellationToken: _ct);

        var left = await sandbox.Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: _ct);
        Assert.Equal(["c"], left.Items.Select(c => c.Metadata.Name).Where(n => n is "a" or "b" or "c"));
    }

    [Fact]
    public async Task A_new_namespace_gets_its_default_ServiceAccount()
    {
        var ns = await sandbox.CreateNamespaceAsync("sa");

        var account = await Eventually.Get(async () => (await sandbox.Client.CoreV1.ListNamespacedServiceAccountAsync(ns, cancellationToken: _ct)).Items.SingleOrDefault(),
            "the default ServiceAccount");

        Assert.Equal("default", account.Metadata.Name);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task The_server_speaks_HTTP_1_1_and_HTTP_2_over_TLS(string version)
    {
        using var http = SandboxHttp.Create(sandbox.Server);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/default") { Version = Version.Parse(version), VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await http.SendAsync(request, _ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Version.Parse(version), response.Version);
    }
}
