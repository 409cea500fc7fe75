using System.Net;
using k8s;
using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class CrudTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_fills_server_fields_and_get_returns_the_object()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var created = await Resources.Commands(sandbox.Client).CreateNamespacedAsync(Resources.Command("first"), ns, _ct);

        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal(1, created.Metadata.Generation);
        Assert.True(long.Parse(created.Metadata.ResourceVersion) > 0);
        Assert.Equal(ns, created.Metadata.NamespaceProperty);

        var read = await Resources.Commands(sandbox.Client).ReadNamespacedAsync<V1Alpha1DiagnosticCommand>(ns, "first", _ct);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);
        Assert.Equal("processes", read.Spec.Action);
    }

    [Fact]
    public async Task GenerateName_gets_a_random_suffix()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var a = await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "gen-" } }, ns, cancellationToken: _ct);
        var b = await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "gen-" } }, ns, cancellationToken: _ct);

        Assert.Matches("^gen-[a-z0-9]{5}$", a.Metadata.Name);
        Assert.NotEqual(a.Metadata.Name, b.Metadata.Name);
    }

    [Fact]
    public async Task Every_write_takes_the_next_resource_version_of_one_sequence()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var cm = await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("a"), ns, cancellationToken: _ct);
        var command = await Resources.Commands(sandbox.Client).CreateNamespacedAsync(Resources.Command("b"), ns, _ct);

        Assert.True(long.Parse(command.Metadata.ResourceVersion) > long.Parse(cm.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task Create_in_a_missing_namespace_is_404_and_a_duplicate_is_409_AlreadyExists()
    {
        var missing = await ApiError.From(() => sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("x"), "no-such-namespace", cancellationToken: _ct));
        Assert.Equal(HttpStatusCode.NotFound, missing.Code);
        Assert.Equal("namespaces \"no-such-namespace\" not found", missing.Status.Message());

        var ns = await sandbox.CreateNamespaceAsync();
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("dup"), ns, cancellationToken: _ct);
        var duplicate = await ApiError.From(() => sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("dup"), ns, cancellationToken: _ct));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Code);
        Assert.Equal("AlreadyExists", duplicate.Status.Reason());
    }

    [Fact]
    public async Task Get_of_a_missing_object_is_404_NotFound_with_a_Status_body()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var error = await ApiError.From(() => Resources.Commands(sandbox.Client).ReadNamespacedAsync<V1Alpha1DiagnosticCommand>(ns, "ghost", _ct));

        Assert.Equal(HttpStatusCode.NotFound, error.Code);
        Assert.Equal("NotFound", error.Status.Reason());
        Assert.Equal("diagnosticcommands.ops.dev \"ghost\" not found", error.Status.Message());
        Assert.Equal(404, error.Status.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Delete_without_finalizers_removes_at_once()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("gone"), ns, cancellationToken: _ct);
        await sandbox.Client.CoreV1.DeleteNamespacedConfigMapAsync("gone", ns, cancellationToken: _ct);

        var list = await sandbox.Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: _ct);
        Assert.DoesNotContain(list.Items, c => c.Metadata.Name == "gone");
    }

    [Fact]
    public async Task Cluster_scoped_custom_resources_are_served_without_a_namespace()
    {
        var versions = new GenericClient(sandbox.Client, ApiGroup.Name, ApiGroup.Version, V1Alpha1AgentVersion.Plural, disposeClient: false);
        var name = "v-" + Guid.NewGuid().ToString("n")[..8];
        var created = await versions.CreateAsync(new V1Alpha1AgentVersion
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1Alpha1AgentVersion.VersionSpec { Version = "1.3.0", Image = "ghcr.io/example/ops-agent:1.3.0" },
        }, _ct);

        Assert.Null(created.Metadata.NamespaceProperty);
        var read = await versions.ReadAsync<V1Alpha1AgentVersion>(name, _ct);
        Assert.Equal("1.3.0", read.Spec.Version);
        await versions.DeleteAsync<V1Alpha1AgentVersion>(name, _ct);
    }
}
