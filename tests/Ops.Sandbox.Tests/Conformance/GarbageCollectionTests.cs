using System.Net;
using k8s;
using k8s.Models;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class GarbageCollectionTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private async Task<(string Ns, V1ConfigMap Owner)> OwnerWithDependentsAsync(params string[] dependents)
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var owner = await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("owner"), ns, cancellationToken: _ct);
        foreach (var name in dependents)
        {
            var dependent = Resources.ConfigMap(name);
            dependent.Metadata.OwnerReferences = [Resources.OwnedBy(owner)];
            await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(dependent, ns, cancellationToken: _ct);
        }
        return (ns, owner);
    }

    private async Task<bool> ExistsAsync(string ns, string name) =>
        (await sandbox.Client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: $"metadata.name={name}", cancellationToken: _ct)).Items.Count > 0;

    [Fact]
    public async Task Background_deletion_collects_dependents_after_the_owner_is_gone()
    {
        var (ns, _) = await OwnerWithDependentsAsync("d1", "d2");

        await sandbox.Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, cancellationToken: _ct);

        await Eventually.True(async () => !await ExistsAsync(ns, "d1") && !await ExistsAsync(ns, "d2"), "dependents to be collected");
    }

    [Fact]
    public async Task Dependents_of_a_custom_resource_deleted_with_a_uid_precondition_are_collected()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var owner = await sandbox.Client.CustomObjects.CreateNamespacedCustomObjectAsync<Ops.Operator.Api.V1Alpha1.V1Alpha1DiagnosticCommand>(
            new Ops.Operator.Api.V1Alpha1.V1Alpha1DiagnosticCommand
            {
                Metadata = new V1ObjectMeta { Name = "owner" },
                Spec = new() { Action = "processes", Target = new() { Nodes = new() } },
            }, "ops.dev", "v1alpha1", ns, "diagnosticcommands", cancellationToken: _ct);
        var dependent = Resources.ConfigMap("d1");
        dependent.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "ops.dev/v1alpha1", Kind = "DiagnosticCommand", Name = "owner", Uid = owner.Metadata.Uid, Controller = true, BlockOwnerDeletion = true }];
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(dependent, ns, cancellationToken: _ct);

        await sandbox.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("ops.dev", "v1alpha1", ns, "diagnosticcommands", "owner",
            new V1DeleteOptions { PropagationPolicy = "Background", Preconditions = new V1Preconditions { Uid = owner.Metadata.Uid } }, cancellationToken: _ct);
        var late = Resources.ConfigMap("d2");
        late.Metadata.OwnerReferences = dependent.Metadata.OwnerReferences;
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(late, ns, cancellationToken: _ct);

        await Eventually.True(async () => !await ExistsAsync(ns, "d1"), "the dependent to be collected");
        await Eventually.True(async () => !await ExistsAsync(ns, "d2"), "the dependent created after its owner was gone to be collected");
    }

    [Fact]
    public async Task A_dependent_with_another_live_owner_only_loses_the_dead_reference()
    {
        var (ns, owner) = await OwnerWithDependentsAsync();
        var other = await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("other"), ns, cancellationToken: _ct);
        var shared = Resources.ConfigMap("shared");
        shared.Metadata.OwnerReferences = [Resources.OwnedBy(owner), Resources.OwnedBy(other)];
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(shared, ns, cancellationToken: _ct);

        await sandbox.Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, cancellationToken: _ct);

        var kept = await Eventually.Get(async () =>
        {
            var cm = await sandbox.Client.CoreV1.ReadNamespacedConfigMapAsync("shared", ns, cancellationToken: _ct);
            return cm.Metadata.OwnerReferences.Count == 1 ? cm : null;
        }, "the dead owner reference to be removed");
        Assert.Equal(other.Metadata.Uid, kept.Metadata.OwnerReferences.Single().Uid);
    }

    [Fact]
    public async Task Orphan_deletion_keeps_dependents_without_the_owner_reference()
    {
        var (ns, _) = await OwnerWithDependentsAsync("orphan");

        await sandbox.Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, new V1DeleteOptions { PropagationPolicy = "Orphan" }, cancellationToken: _ct);

        await Eventually.True(async () => !await ExistsAsync(ns, "owner"), "the owner to go");
        var orphan = await sandbox.Client.CoreV1.ReadNamespacedConfigMapAsync("orphan", ns, cancellationToken: _ct);
        Assert.Null(orphan.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task Foreground_deletion_removes_dependents_before_the_owner()
    {
        var (ns, _) = await OwnerWithDependentsAsync("first");
        var held = (await sandbox.Client.CoreV1.ReadNamespacedConfigMapAsync("first", ns, cancellationToken: _ct));
        held.Metadata.Finalizers = ["ops.dev/slow"];
        await sandbox.Client.CoreV1.ReplaceNamespacedConfigMapAsync(held, "first", ns, cancellationToken: _ct);

        await sandbox.Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, new V1DeleteOptions { PropagationPolicy = "Foreground" }, cancellationToken: _ct);

        var owner = await sandbox.Client.CoreV1.ReadNamespacedConfigMapAsync("owner", ns, cancellationToken: _ct);
        Assert.Contains("foregroundDeletion", owner.Metadata.Finalizers);
        await Eventually.True(async () => (await sandbox.Client.CoreV1.ReadNamespacedConfigMapAsync("first", ns, cancellationToken: _ct)).Metadata.DeletionTimestamp is not null, "the dependent to be deleting");
        await sandbox.Server.SettledAsync(_ct);
        Assert.True(await ExistsAsync(ns, "owner"), "the owner went before its dependent");

        await sandbox.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "first", ns, cancellationToken: _ct);
        await Eventually.True(async () => !await ExistsAsync(ns, "owner") && !await ExistsAsync(ns, "first"), "owner and dependent to go");
    }

    [Fact]
    public async Task An_unknown_propagation_policy_is_rejected()
    {
        var (ns, _) = await OwnerWithDependentsAsync();
        var error = await ApiError.From(() => sandbox.Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, new V1DeleteOptions { PropagationPolicy = "Sideways" }, cancellationToken: _ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Code);
        Assert.True(await ExistsAsync(ns, "owner"));
    }
}
