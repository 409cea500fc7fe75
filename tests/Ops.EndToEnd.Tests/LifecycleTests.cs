using System.Diagnostics;
using k8s;
using k8s.Models;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>Cancel, spec edits, deletion and TTL of commands.</summary>
public sealed class LifecycleTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private static readonly string Ops = DemoCluster.OpsNamespace;

    internal static Dictionary<string, string> Mark(string file, int seconds) => MarkScript.Parameters(file, seconds);

    internal static string RunsFile() => MarkScript.NewRunsFile();

    internal static Task<string[]> RunsAsync(string file) => MarkScript.RunsAsync(file);

    private Task PatchSpecAsync(string name, string mergePatch) =>
        cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(mergePatch, V1Patch.PatchType.MergePatch), ApiGroup.Name, ApiGroup.Version, Ops, V1Alpha1DiagnosticCommand.Plural, name, cancellationToken: _ct);

    [Fact]
    public async Task Cancel_stops_the_running_target_skips_the_rest_and_a_spec_edit_is_reported_not_acted_on()
    {
        var file = RunsFile();
        await Commands.CreateAsync(cluster.Client, Ops, "cancel-me", Commands.OnNodes("script.run", Mark(file, 60), parallelism: 1));
        await Commands.StatusAsync(cluster.Client, Ops, "cancel-me", s => s.Targets?.Running == 1, "one target running");

        await PatchSpecAsync("cancel-me", """{"spec":{"timeoutSeconds":5}}""");
        var edited = await Commands.StatusAsync(cluster.Client, Ops, "cancel-me", s => s.Conditions?.Any(c => c.Type == ConditionTypes.SpecChangeIgnored) == true, "the spec edit reported");
        Assert.Equal(2, Commands.Condition(edited, ConditionTypes.SpecChangeIgnored)!.ObservedGeneration);
        var watch = Stopwatch.StartNew();
        await PatchSpecAsync("cancel-me", """{"spec":{"cancel":true}}""");
        var done = await Commands.FinishedAsync(cluster.Client, Ops, "cancel-me");

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"cancel took {watch.Elapsed}");
        Assert.Equal(CommandPhase.Cancelled, done.Status!.Phase);
        Assert.Equal(3, done.Status.Targets!.Failed);
        Assert.Equal(["cancelled", "cancelled before it started", "cancelled before it started"], done.Status.Results!.Select(r => r.Message).Order());
        Assert.Single(await RunsAsync(file));
        Assert.Null(done.Metadata.Finalizers);
    }

    [Fact]
    public async Task Deleting_a_running_command_cancels_its_targets_on_the_agents_and_removes_it()
    {
        var file = RunsFile();
        await Commands.CreateAsync(cluster.Client, Ops, "delete-me", Commands.OnNodes("script.run", Mark(file, 61)));
        var running = await Commands.StatusAsync(cluster.Client, Ops, "delete-me", s => s.Targets?.Running == 3, "three targets running");
        Assert.Contains(DiagnosticCommandReconciler.Finalizer, running.Metadata.Finalizers!);
        var started = await Eventually.Get(async () => (await cluster.Client.CoreV1.ListNamespacedEventAsync(Ops, fieldSelector: "involvedObject.name=delete-me,reason=Started", cancellationToken: _ct)).Items.SingleOrDefault(), "the Started event");
        Assert.Equal("Started script.run on 3 targets", started.Message);
        await Eventually.True(async () => (await RunsAsync(file)).Length == 3, "the three scripts to start");
        var sleepers = Process.GetProcessesByName("sleep").Count(p => ProcessArgs(p).Contains(" 61"));

        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, Ops, V1Alpha1DiagnosticCommand.Plural, "delete-me", cancellationToken: _ct);

        await Eventually.True(async () => await Commands.GetAsync(cluster.Client, Ops, "delete-me") is null, "the command to be gone");
        await Eventually.True(() => Task.FromResult(Process.GetProcessesByName("sleep").Count(p => ProcessArgs(p).Contains(" 61")) <= sleepers - 3), "the scripts to be stopped on the agents");
        await Eventually.True(async () => (await cluster.Client.CoreV1.ListNamespacedConfigMapAsync(Ops, labelSelector: "ops.dev/command=delete-me", cancellationToken: _ct)).Items.Count == 0,
            "the plan ConfigMap to be garbage-collected");
    }

    [Fact]
    public async Task A_finished_command_is_deleted_with_its_outputs_when_its_ttl_runs_out()
    {
        var spec = Commands.OnNodes("node.info");
        spec.TtlSecondsAfterFinished = 2;
        await Commands.CreateAsync(cluster.Client, Ops, "short-lived", spec);
        var done = await Commands.FinishedAsync(cluster.Client, Ops, "short-lived");
        Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
        Assert.NotEmpty((await cluster.Client.CoreV1.ListNamespacedConfigMapAsync(Ops, labelSelector: "ops.dev/command=short-lived", cancellationToken: _ct)).Items);

        await Eventually.True(async () => await Commands.GetAsync(cluster.Client, Ops, "short-lived") is null, "the TTL to delete the command");
        await Eventually.True(async () => (await cluster.Client.CoreV1.ListNamespacedConfigMapAsync(Ops, labelSelector: "ops.dev/command=short-lived", cancellationToken: _ct)).Items.Count == 0,
            "its result and plan ConfigMaps to be garbage-collected");
    }

    private static string ProcessArgs(Process process)
    {
        try
        {
            return File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
