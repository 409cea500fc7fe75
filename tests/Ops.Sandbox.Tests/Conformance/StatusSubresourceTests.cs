using System.Text.Json;
using k8s;
using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class StatusSubresourceTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private Task<object> PatchStatusAsync(string ns, string name, object patch) =>
        sandbox.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(JsonSerializer.Serialize(patch), V1Patch.PatchType.MergePatch),
            ApiGroup.Name, ApiGroup.Version, ns, V1Alpha1DiagnosticCommand.Plural, name, cancellationToken: _ct);

    [Fact]
    public async Task Status_writes_change_only_status_and_keep_generation()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        await Resources.Commands(sandbox.Client).CreateNamespacedAsync(Resources.Command("s"), ns, _ct);

        await PatchStatusAsync(ns, "s", new { spec = new { action = "changed.by.status" }, status = new { phase = "Running" } });

        var read = await Resources.Commands(sandbox.Client).ReadNamespacedAsync<V1Alpha1DiagnosticCommand>(ns, "s", _ct);
        Assert.Equal("Running", read.Status?.Phase);
        Assert.Equal("processes", read.Spec.Action);
        Assert.Equal(1, read.Metadata.Generation);
    }

    [Fact]
    public async Task Main_resource_writes_ignore_status_and_bump_generation_on_spec_change_only()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var commands = Resources.Commands(sandbox.Client);
        await commands.CreateNamespacedAsync(Resources.Command("m"), ns, _ct);
        await PatchStatusAsync(ns, "m", new { status = new { phase = "Running" } });

        var read = await commands.ReadNamespacedAsync<V1Alpha1DiagnosticCommand>(ns, "m", _ct);
        read.Status = new V1Alpha1DiagnosticCommand.CommandStatus { Phase = "Failed" };
        read.Metadata.Labels = new Dictionary<string, string> { ["touched"] = "yes" };
        var labelled = await commands.ReplaceNamespacedAsync(read, ns, "m", _ct);
        Assert.Equal("Running", labelled.Status?.Phase);
        Assert.Equal(1, labelled.Metadata.Generation);

        labelled.Spec.Parallelism = 7;
        var changed = await commands.ReplaceNamespacedAsync(labelled, ns, "m", _ct);
        Assert.Equal(2, changed.Metadata.Generation);
        Assert.Equal(7, changed.Spec.Parallelism);
    }

    [Fact]
    public async Task Status_given_at_create_is_dropped()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var command = Resources.Command("c");
        command.Status = new V1Alpha1DiagnosticCommand.CommandStatus { Phase = "Succeeded" };

        var created = await Resources.Commands(sandbox.Client).CreateNamespacedAsync(command, ns, _ct);

        Assert.Null(created.Status);
    }
}
