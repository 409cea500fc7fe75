using System.Net;
using k8s;
using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class PatchTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private async Task<V1Alpha1DiagnosticCommand> PatchCommandAsync(string ns, string name, string body, string type, string? manager = null, bool? force = null)
    {
        var response = await sandbox.Client.CustomObjects.PatchNamespacedCustomObjectWithHttpMessagesAsync<V1Alpha1DiagnosticCommand>(
            new V1Patch(body, Enum.Parse<V1Patch.PatchType>(type)), ApiGroup.Name, ApiGroup.Version, ns, V1Alpha1DiagnosticCommand.Plural, name,
            fieldManager: manager, force: force, cancellationToken: _ct);
        return response.Body;
    }

    [Fact]
    public async Task Merge_patch_sets_and_removes_fields()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var command = Resources.Command("m");
        command.Spec.Parameters = new() { ["a"] = "1", ["b"] = "2" };
        await Resources.Commands(sandbox.Client).CreateNamespacedAsync(command, ns, _ct);

        var patched = await PatchCommandAsync(ns, "m", """{"spec":{"parameters":{"a":null,"c":"3"},"parallelism":9}}""", "MergePatch");

        Assert.Equal(new Dictionary<string, string> { ["b"] = "2", ["c"] = "3" }, patched.Spec.Parameters);
        Assert.Equal(9, patched.Spec.Parallelism);
        Assert.Equal(2, patched.Metadata.Generation);
    }

    [Fact]
    public async Task Json_patch_applies_operations_in_order_and_a_failed_test_changes_nothing()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        await Resources.Commands(sandbox.Client).CreateNamespacedAsync(Resources.Command("j"), ns, _ct);

        var patched = await PatchCommandAsync(ns, "j", """
            [{"op":"test","path":"/spec/action","value":"processes"},
             {"op":"replace","path":"/spec/action","value":"node.info"},
             {"op":"add","path":"/spec/parameters","value":{"x":"y"}}]
            """, "JsonPatch");
        Assert.Equal("node.info", patched.Spec.Action);
        Assert.Equal("y", patched.Spec.Parameters!["x"]);

        var failed = await ApiError.From(() => PatchCommandAsync(ns, "j", """[{"op":"replace","path":"/spec/action","value":"log.grep"},{"op":"test","path":"/spec/action","value":"nope"}]""", "JsonPatch"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failed.Code);
        var unchanged = await Resources.Commands(sandbox.Client).ReadNamespacedAsync<V1Alpha1DiagnosticCommand>(ns, "j", _ct);
        Assert.Equal("node.info", unchanged.Spec.Action);
    }

    [Fact]
    public async Task Strategic_merge_patch_merges_containers_by_name_on_built_in_kinds()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        await sandbox.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p", Finalizers = ["ops.dev/a"] },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "app:1" }, new V1Container { Name = "sidecar", Image = "side:1" }] },
        }, ns, cancellationToken: _ct);

        var patched = await sandbox.Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""
            {"metadata":{"finalizers":["ops.dev/b"]},"spec":{"containers":[{"name":"sidecar","image":"side:2"}]}}
            """, V1Patch.PatchType.StrategicMergePatch), "p", ns, cancellationToken: _ct);

        Assert.Equal(["app:1", "side:2"], patched.Spec.Containers.Select(c => c.Image));
        Assert.Equal(["ops.dev/a", "ops.dev/b"], patched.Metadata.Finalizers);
        await sandbox.Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"$deleteFromPrimitiveList/finalizers":["ops.dev/a","ops.dev/b"]}}""", V1Patch.PatchType.StrategicMergePatch), "p", ns, cancellationToken: _ct);
    }

    [Fact]
    public async Task Strategic_merge_patch_of_a_custom_resource_is_415()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        await Resources.Commands(sandbox.Client).CreateNamespacedAsync(Resources.Command("s"), ns, _ct);

        var error = await ApiError.From(() => PatchCommandAsync(ns, "s", """{"spec":{"parallelism":2}}""", "StrategicMergePatch"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, error.Code);
    }

    [Fact]
    public async Task Apply_creates_then_owns_its_fields_and_conflicts_with_another_manager()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        const string applied = """
            {"apiVersion":"ops.dev/v1alpha1","kind":"DiagnosticCommand","metadata":{"name":"a","labels":{"team":"web"}},
             "spec":{"action":"processes","parallelism":3,"target":{"pods":{"selector":{"matchLabels":{"app":"web"}}}}}}
            """;
        var created = await PatchCommandAsync(ns, "a", applied, "ApplyPatch", manager: "alice");
        Assert.Equal(3, created.Spec.Parallelism);
        Assert.Contains(created.Metadata.ManagedFields, m => m.Manager == "alice" && m.Operation == "Apply");

        var conflict = await ApiError.From(() => PatchCommandAsync(ns, "a", applied.Replace("\"parallelism\":3", "\"parallelism\":5"), "ApplyPatch", manager: "bob"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Code);
        Assert.Contains("conflict with \"alice\"", conflict.Status.Message());
        Assert.Contains(".spec.parallelism", conflict.Status.Message());

        var forced = await PatchCommandAsync(ns, "a", applied.Replace("\"parallelism\":3", "\"parallelism\":5"), "ApplyPatch", manager: "bob", force: true);
        Assert.Equal(5, forced.Spec.Parallelism);
    }

    [Fact]
    public async Task Apply_removes_fields_its_manager_stops_applying()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        const string withLabel = """
            {"apiVersion":"ops.dev/v1alpha1","kind":"DiagnosticCommand","metadata":{"name":"r","labels":{"team":"web"}},
             "spec":{"action":"processes","parameters":{"pattern":"x"},"target":{"pods":{"selector":{"matchLabels":{"app":"web"}}}}}}
            """;
        await PatchCommandAsync(ns, "r", withLabel, "ApplyPatch", manager: "ci");

        var reapplied = await PatchCommandAsync(ns, "r", withLabel.Replace("\"labels\":{\"team\":\"web\"}", "\"labels\":{}").Replace("\"parameters\":{\"pattern\":\"x\"},", ""), "ApplyPatch", manager: "ci");

        Assert.True(reapplied.Metadata.Labels is null || !reapplied.Metadata.Labels.ContainsKey("team"));
        Assert.True(reapplied.Spec.Parameters is null || reapplied.Spec.Parameters.Count == 0);
        Assert.Equal(60, reapplied.Spec.TimeoutSeconds);
    }

    [Fact]
    public async Task Apply_without_a_field_manager_is_rejected()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var error = await ApiError.From(() => PatchCommandAsync(ns, "x", """{"apiVersion":"ops.dev/v1alpha1","kind":"DiagnosticCommand","metadata":{"name":"x"}}""", "ApplyPatch"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Code);
        Assert.Contains("fieldManager", error.Status.Message());
    }

    [Fact]
    public async Task A_patch_carrying_a_stale_resource_version_is_409()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var created = await Resources.Commands(sandbox.Client).CreateNamespacedAsync(Resources.Command("rv"), ns, _ct);
        await PatchCommandAsync(ns, "rv", """{"spec":{"parallelism":2}}""", "MergePatch");

        var stale = await ApiError.From(() => PatchCommandAsync(ns, "rv", "{\"metadata\":{\"resourceVersion\":\"" + created.Metadata.ResourceVersion + "\"},\"spec\":{\"parallelism\":3}}", "MergePatch"));

        Assert.Equal(HttpStatusCode.Conflict, stale.Code);
    }
}
