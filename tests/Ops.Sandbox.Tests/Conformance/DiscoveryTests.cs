using System.Net;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class DiscoveryTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Discovery_lists_the_built_in_kinds_and_the_ops_dev_group()
    {
        var core = await sandbox.Client.CoreV1.GetAPIResourcesAsync(_ct);
        Assert.Superset(new HashSet<string> { "namespaces", "nodes", "pods", "pods/status", "events", "configmaps", "secrets", "services", "serviceaccounts" },
            core.Resources.Select(r => r.Name).ToHashSet());

        var groups = await sandbox.Client.Apis.GetAPIVersionsAsync(_ct);
        Assert.Superset(new HashSet<string> { "apps", "coordination.k8s.io", "events.k8s.io", "apiextensions.k8s.io", "ops.dev" }, groups.Groups.Select(g => g.Name).ToHashSet());

        var apps = await sandbox.Client.AppsV1.GetAPIResourcesAsync(_ct);
        Assert.Superset(new HashSet<string> { "daemonsets", "daemonsets/status", "deployments", "controllerrevisions" }, apps.Resources.Select(r => r.Name).ToHashSet());

        var version = await sandbox.Client.Version.GetCodeAsync(_ct);
        Assert.Equal("1", version.Major);
    }

    [Fact]
    public async Task A_new_CRD_is_served_at_once_and_deleting_it_removes_its_objects_and_stops_serving()
    {
        var group = $"g{Guid.NewGuid():n}"[..12] + ".test.dev";
        var crd = new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = $"widgets.{group}" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = group,
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames { Kind = "Widget", Plural = "widgets", ListKind = "WidgetList", Singular = "widget" },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = "v1", Served = true, Storage = true,
                        Schema = new V1CustomResourceValidation { OpenAPIV3Schema = new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true } },
                    },
                ],
            },
        };
        var created = await sandbox.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: _ct);
        Assert.Contains(created.Status.Conditions, c => c.Type == "Established" && c.Status == "True");

        var ns = await sandbox.CreateNamespaceAsync();
        using var http = SandboxHttp.Create(sandbox.Server);
        var widget = $$$"""{"apiVersion":"{{{group}}}/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"anything":true}}""";
        using (var post = await http.PostAsync($"/apis/{group}/v1/namespaces/{ns}/widgets", new StringContent(widget, Encoding.UTF8, "application/json"), _ct))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        await sandbox.Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync(crd.Metadata.Name, cancellationToken: _ct);

        await Eventually.True(async () => (await http.GetAsync($"/apis/{group}/v1/namespaces/{ns}/widgets", _ct)).StatusCode == HttpStatusCode.NotFound, "the CRD to stop being served");
        var crds = await sandbox.Client.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: _ct);
        Assert.DoesNotContain(crds.Items, c => c.Metadata.Name == crd.Metadata.Name);
        Assert.Empty(sandbox.Server.Service.Store.Snapshot().Of($"widgets.{group}"));
    }

    [Fact]
    public async Task A_CRD_whose_name_is_not_plural_dot_group_is_422()
    {
        var crd = new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = "wrong.example.dev" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = "example.dev", Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames { Kind = "Thing", Plural = "things" },
                Versions = [new V1CustomResourceDefinitionVersion { Name = "v1", Served = true, Storage = true }],
            },
        };

        var error = await ApiError.From(() => sandbox.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: _ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Code);
        Assert.Contains("spec.names.plural", error.Status.Message());
    }

    [Fact]
    public async Task Table_output_uses_the_CRD_printer_columns()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        await Resources.Commands(sandbox.Client).CreateNamespacedAsync(Resources.Command("tabled", "node.info"), ns, _ct);
        using var http = SandboxHttp.Create(sandbox.Server);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/apis/ops.dev/v1alpha1/namespaces/{ns}/diagnosticcommands");
        request.Headers.Accept.ParseAdd("application/json;as=Table;v=v1;g=meta.k8s.io");

        using var response = await http.SendAsync(request, _ct);
        var table = JsonDocument.Parse(await response.Content.ReadAsStringAsync(_ct)).RootElement;

        Assert.Equal("Table", table.GetProperty("kind").GetString());
        Assert.Equal(["Name", "ACTION", "PHASE", "TARGETS", "SUCCEEDED", "FAILED", "AGE"], table.GetProperty("columnDefinitions").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        var cells = table.GetProperty("rows")[0].GetProperty("cells");
        Assert.Equal("tabled", cells[0].GetString());
        Assert.Equal("node.info", cells[1].GetString());
        Assert.Matches("^[0-9]+s$", cells[6].GetString());
    }
}
