using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using k8s;
using k8s.Models;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>Artifacts come back intact through the operator, for a caller the API server vouches for and RBAC allows.</summary>
public sealed class ArtifactDownloadTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_trace_downloads_through_the_operator_with_the_callers_token_and_matches_its_sha256()
    {
        var spec = Commands.OnPods("dotnet.trace", new() { ["duration"] = "1s" }, "checkout", "api");
        spec.Target.Sample = new V1Alpha1DiagnosticCommand.SampleSpec { Mode = "one" };
        await Commands.CreateAsync(cluster.Client, DemoCluster.ShopNamespace, "trace-to-download", spec);
        var done = await Commands.FinishedAsync(cluster.Client, DemoCluster.ShopNamespace, "trace-to-download");
        Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
        var artifact = Assert.Single(Assert.Single(done.Status.Results!).Artifacts!);
        var operatorPod = await SandboxPods.OperatorAsync(cluster.Client, _ct);
        using var http = await OperatorHttps.CreateAsync(cluster.Cluster, operatorPod.Status.PodIP, _ct);
        var path = $"artifacts/{DemoCluster.ShopNamespace}/trace-to-download/{artifact.Name}";
        // The token would cross the wire in the clear: plain HTTP is refused before it is looked at.
        using var plain = new HttpClient { BaseAddress = new Uri($"http://{operatorPod.Status.PodIP}:{cluster.Cluster.OperatorPort}/") };
        using var overPlainHttp = await plain.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", cluster.Cluster.Server.Token) } }, _ct);

        using var anonymous = await http.GetAsync(path, _ct);
        using var wrongToken = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token") } }, _ct);
        using var missing = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"artifacts/{DemoCluster.ShopNamespace}/trace-to-download/no-such-artifact")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", cluster.Cluster.Server.Token) },
        }, _ct);
        using var download = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", cluster.Cluster.Server.Token) } }, _ct);
        // Users the API server knows, each allowed something by RBAC: only get on the artifacts subresource, in the command's namespace, is enough.
        var reader = await UserAsync("artifact-reader", ["get"], "diagnosticcommands/artifacts");
        var viewer = await UserAsync("command-viewer", ["get", "list", "watch"], "diagnosticcommands");
        var lister = await UserAsync("artifact-lister", ["list"], "diagnosticcommands/artifacts");
        var elsewhere = await UserAsync("reader-elsewhere", ["get"], "diagnosticcommands/artifacts", await cluster.CreateNamespaceAsync("elsewhere"));
        async Task<HttpResponseMessage> AsAsync(string token) =>
            await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } }, _ct);
        using var asReader = await AsAsync(reader);
        using var asViewer = await AsAsync(viewer);
        using var asLister = await AsAsync(lister);
        using var asElsewhere = await AsAsync(elsewhere);

        Assert.Equal(HttpStatusCode.Forbidden, overPlainHttp.StatusCode);
        Assert.StartsWith("artifacts are downloaded over TLS only", await overPlainHttp.Content.ReadAsStringAsync(_ct));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        Assert.Equal("the bearer token is not valid for this cluster\n", await wrongToken.Content.ReadAsStringAsync(_ct));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var bytes = await download.Content.ReadAsByteArrayAsync(_ct);
        Assert.Equal(artifact.SizeBytes, bytes.Length);
        Assert.Equal(artifact.Sha256, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant());
        Assert.Equal(artifact.Sha256, download.Headers.GetValues("X-Checksum-Sha256").Single());
        Assert.Equal(HttpStatusCode.OK, asReader.StatusCode);
        // As a user would on any cluster: kubectl port-forward to the operator's Service, then the certificate's localhost name.
        using (var forward = await KubectlPortForward.StartAsync(cluster.KubeconfigPath, DemoCluster.OpsNamespace, $"svc/{DemoCluster.OperatorDeployment}", cluster.Cluster.ArtifactsPort, _ct))
        {
            using var local = await OperatorHttps.CreateAsync(cluster.Cluster, new Uri($"https://localhost:{forward.LocalPort}/"), _ct);
            using var forwarded = await local.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", reader) } }, _ct);
            Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
            Assert.Equal(artifact.Sha256, Convert.ToHexString(SHA256.HashData(await forwarded.Content.ReadAsByteArrayAsync(_ct))).ToLowerInvariant());
        }
        Assert.Equal(bytes, await asReader.Content.ReadAsByteArrayAsync(_ct));
        foreach (var (refused, user) in new[] { (asViewer, "command-viewer"), (asLister, "artifact-lister"), (asElsewhere, "reader-elsewhere") })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal($"user {user} may not get diagnosticcommands/artifacts of shop/trace-to-download\n", await refused.Content.ReadAsStringAsync(_ct));
        }
    }

    /// <summary>A user of the API server, bound in <paramref name="ns"/> (default: the shop) to a Role with one rule; returns their token.</summary>
    private async Task<string> UserAsync(string name, List<string> verbs, string resource, string ns = DemoCluster.ShopNamespace)
    {
        var role = await cluster.Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { GenerateName = $"{name}-" },
            Rules = [new V1PolicyRule { ApiGroups = [ApiGroup.Name], Resources = [resource], Verbs = verbs }],
        }, ns, cancellationToken: _ct);
        await cluster.Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { GenerateName = $"{name}-" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = role.Metadata.Name },
            Subjects = [new Rbacv1Subject { Kind = "User", Name = name, ApiGroup = "rbac.authorization.k8s.io" }],
        }, ns, cancellationToken: _ct);
        return cluster.Cluster.Server.AddUser(name);
    }
}
