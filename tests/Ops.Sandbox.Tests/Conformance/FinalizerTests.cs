using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class FinalizerTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_object_with_a_finalizer_stays_with_deletionTimestamp_until_the_finalizer_is_removed()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var commands = Resources.Commands(sandbox.Client);
        var command = Resources.Command("held");
        command.Metadata.Finalizers = ["ops.dev/cleanup"];
        await commands.CreateNamespacedAsync(command, ns, _ct);

        await commands.DeleteNamespacedAsync<V1Alpha1DiagnosticCommand>(ns, "held", _ct);
        var deleting = await commands.ReadNamespacedAsync<V1Alpha1DiagnosticCommand>(ns, "held", _ct);
        Assert.NotNull(deleting.Metadata.DeletionTimestamp);
        Assert.Equal(2, deleting.Metadata.Generation);

        var added = await ApiError.From(() => commands.PatchNamespacedAsync<V1Alpha1DiagnosticCommand>(
            new V1Patch("""{"metadata":{"finalizers":["ops.dev/cleanup","ops.dev/another"]}}""", V1Patch.PatchType.MergePatch), ns, "held", _ct));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, added.Code);

        await commands.PatchNamespacedAsync<V1Alpha1DiagnosticCommand>(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), ns, "held", _ct);
        var gone = await ApiError.From(() => commands.ReadNamespacedAsync<V1Alpha1DiagnosticCommand>(ns, "held", _ct));
        Assert.Equal(HttpStatusCode.NotFound, gone.Code);
    }

    [Fact]
    public async Task Deleting_again_while_finalizers_hold_changes_nothing()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var cm = Resources.ConfigMap("twice");
        cm.Metadata.Finalizers = ["ops.dev/hold"];
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(cm, ns, cancellationToken: _ct);

        await sandbox.Client.CoreV1.DeleteNamespacedConfigMapAsync("twice", ns, cancellationToken: _ct);
        var first = await sandbox.Client.CoreV1.ReadNamespacedConfigMapAsync("twice", ns, cancellationToken: _ct);
        await sandbox.Client.CoreV1.DeleteNamespacedConfigMapAsync("twice", ns, cancellationToken: _ct);
        var second = await sandbox.Client.CoreV1.ReadNamespacedConfigMapAsync("twice", ns, cancellationToken: _ct);

        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
        Assert.Equal(first.Metadata.DeletionTimestamp, second.Metadata.DeletionTimestamp);
    }

    [Fact]
    public async Task Delete_preconditions_are_enforced()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("pre"), ns, cancellationToken: _ct);

        var error = await ApiError.From(() => sandbox.Client.CoreV1.DeleteNamespacedConfigMapAsync("pre", ns,
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = Guid.NewGuid().ToString() } }, cancellationToken: _ct));

        Assert.Equal(HttpStatusCode.Conflict, error.Code);
        Assert.NotNull(await sandbox.Client.CoreV1.ReadNamespacedConfigMapAsync("pre", ns, cancellationToken: _ct));
    }

    [Fact]
    public async Task Deleting_a_namespace_removes_its_content_then_the_namespace()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var held = Resources.ConfigMap("held");
        held.Metadata.Finalizers = ["ops.dev/hold"];
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(held, ns, cancellationToken: _ct);
        await Resources.Commands(sandbox.Client).CreateNamespacedAsync(Resources.Command("cmd"), ns, _ct);

        await sandbox.Client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: _ct);

        var terminating = await sandbox.Client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: _ct);
        Assert.Equal("Terminating", terminating.Status.Phase);
        var refused = await ApiError.From(() => sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("late"), ns, cancellationToken: _ct));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Code);
        await Eventually.True(async () => (await Resources.Commands(sandbox.Client).ListNamespacedAsync<CustomResourceList<V1Alpha1DiagnosticCommand>>(ns, cancel: _ct)).Items.Count == 0, "the command to be deleted");

        await sandbox.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "held", ns, cancellationToken: _ct);
        await Eventually.True(async () => !(await sandbox.Client.CoreV1.ListNamespaceAsync(cancellationToken: _ct)).Items.Any(n => n.Metadata.Name == ns), "the namespace to go");
    }
}
