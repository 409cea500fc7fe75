using k8s;
using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.TestSupport;

namespace Ops.Operator.Tests.Controllers.DiagnosticCommands;

public sealed class CommandPlansTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private static V1Alpha1DiagnosticCommand.CommandSpec Spec(bool cancel = false, params (string, string)[] parameters) => new()
    {
        Action = "log.grep",
        Parameters = parameters.ToDictionary(p => p.Item1, p => p.Item2),
        Cancel = cancel,
        Target = new V1Alpha1DiagnosticCommand.TargetSpec { Pods = new V1Alpha1DiagnosticCommand.PodTarget { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "a" } } } },
    };

    [Fact]
    public void The_spec_hash_ignores_cancel_and_map_order_and_sees_every_other_change()
    {
        var hash = CommandPlans.SpecHash(Spec(false, ("path", "/a"), ("pattern", "x")));
        var longer = Spec(false, ("path", "/a"), ("pattern", "x"));
        longer.TimeoutSeconds = 5;

        Assert.Equal(hash, CommandPlans.SpecHash(Spec(true, ("pattern", "x"), ("path", "/a"))));
        Assert.NotEqual(hash, CommandPlans.SpecHash(Spec(false, ("path", "/b"), ("pattern", "x"))));
        Assert.NotEqual(hash, CommandPlans.SpecHash(longer));
    }

    [Theory]
    [InlineData(3, "gzip:")]
    [InlineData(5000, "configmap")]
    public async Task A_recorded_plan_loads_back_for_its_command_only_and_a_second_attempt_from_a_stale_copy_finds_and_keeps_the_first(int count, string stored)
    {
        await using var sandbox = await SandboxFixture.StartAsync(new Ops.Sandbox.Hosting.SandboxOptions());
        using var client = SandboxFixture.CreateClient(sandbox);
        var plans = new CommandPlans(client, new Ops.ControllerRuntime.Client.CustomResourceClient<V1Alpha1DiagnosticCommand>(client), Seal);
        // A large plan is owned by the command, so the command must exist: the garbage collector removes what a missing owner owned.
        var command = await CreateCommandAsync(client);
        List<CommandTarget> first = [.. Enumerable.Range(0, count).Select(i => new CommandTarget($"pod/default/p{i}/main", $"node-{i % 7}", "default", $"p{i}", Guid.NewGuid().ToString(), "main", $"containerd://{i:x12}", $"10.0.{i / 250}.{i % 250}"))];
        var started = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

        var recorded = (await plans.RecordAsync(command, first, "ops.dev/test", started, new Dictionary<string, string>(), _ct))!.Value.Stored;
        // A second attempt from the stale copy meets the first's write: it finds that plan and keeps it.
        var again = (await plans.RecordAsync(command, [CommandTarget.ForNode("other")], "ops.dev/test", started, new Dictionary<string, string>(), _ct))!.Value;
        var loaded = await plans.LoadAsync(recorded, _ct);
        var stranger = new V1Alpha1DiagnosticCommand { Metadata = new V1ObjectMeta { Name = "c", NamespaceProperty = "default", Uid = "someone-else", Annotations = recorded.Metadata.Annotations }, Spec = Spec() };

        Assert.StartsWith(stored, recorded.Metadata.Annotations[CommandPlans.PlanAnnotation], StringComparison.Ordinal);
        Assert.Contains("ops.dev/test", recorded.Metadata.Finalizers!);
        Assert.Equal(first, again.Plan.Targets);
        Assert.Equal(recorded.Metadata.ResourceVersion, again.Stored.Metadata.ResourceVersion);
        Assert.Equal(first, loaded!.Targets);
        Assert.True(loaded.Intact);
        Assert.Equal(CommandPlans.SpecHash(command.Spec), loaded.SpecHash);
        Assert.Equal(started, CommandPlans.StartedAt(recorded));
        Assert.True(CommandPlans.IsRecorded(recorded));
        Assert.False(CommandPlans.IsRecorded(command));
        // The ConfigMap of a large plan belongs to its command: a command of the same name with another uid does not find it.
        if (stored == "configmap") Assert.Null(await plans.LoadAsync(stranger, _ct));
    }

    [Fact]
    public async Task Someone_elses_write_between_the_read_and_the_record_is_kept_and_the_plan_recorded_on_the_fresh_copy()
    {
        await using var sandbox = await SandboxFixture.StartAsync(new Ops.Sandbox.Hosting.SandboxOptions());
        using var client = SandboxFixture.CreateClient(sandbox);
        var plans = new CommandPlans(client, new Ops.ControllerRuntime.Client.CustomResourceClient<V1Alpha1DiagnosticCommand>(client), Seal);
        var read = await CreateCommandAsync(client);
        var touched = KubernetesJson.Deserialize<V1Alpha1DiagnosticCommand>(KubernetesJson.Serialize(read));
        touched.Metadata.Labels = new Dictionary<string, string> { ["team"] = "shop" };
        await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(touched, ApiGroup.Name, ApiGroup.Version, "default", V1Alpha1DiagnosticCommand.Plural, "c", cancellationToken: _ct);

        var recorded = await plans.RecordAsync(read, [CommandTarget.ForNode("a")], "ops.dev/test", DateTimeOffset.UnixEpoch, new Dictionary<string, string>(), _ct);

        Assert.NotNull(recorded);
        Assert.Equal("shop", recorded.Value.Stored.Metadata.Labels["team"]);
        Assert.Equal([CommandTarget.ForNode("a")], (await plans.LoadAsync(recorded.Value.Stored, _ct))!.Targets);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5000)]
    public async Task A_plan_changed_after_the_start_by_someone_but_the_operator_does_not_hold_its_seal(int count)
    {
        await using var sandbox = await SandboxFixture.StartAsync(new Ops.Sandbox.Hosting.SandboxOptions());
        using var client = SandboxFixture.CreateClient(sandbox);
        var plans = new CommandPlans(client, new Ops.ControllerRuntime.Client.CustomResourceClient<V1Alpha1DiagnosticCommand>(client), Seal);
        var command = await CreateCommandAsync(client);
        List<CommandTarget> own = [.. Enumerable.Range(0, count).Select(i => new CommandTarget($"pod/default/p{i}/main", "node-1", "default", $"p{i}", $"uid-{i}", "main", $"containerd://{i:x12}", "10.0.0.1"))];
        var recorded = (await plans.RecordAsync(command, own, "ops.dev/test", DateTimeOffset.UnixEpoch, new Dictionary<string, string>(), _ct))!.Value.Stored;
        Assert.True((await plans.LoadAsync(recorded, _ct))!.Intact);
        // The namespace's user points the plan at another team's container: in the annotation (a small plan, written as
        // a user would, with a seal of their own making) or in the ConfigMap (a large one).
        List<CommandTarget> other = [new("pod/payments/db-0/main", "node-1", "payments", "db-0", "uid-db", "main", "containerd://0000000000ff", "10.0.9.9")];
        V1Alpha1DiagnosticCommand tampered;
        if (count < 100)
        {
            tampered = (await new CommandPlans(client, new Ops.ControllerRuntime.Client.CustomResourceClient<V1Alpha1DiagnosticCommand>(client), new PlanSeal(() => "a guess"))
                .RecordAsync(await FreshCopyWithoutPlanAsync(client), other, "ops.dev/test", DateTimeOffset.UnixEpoch, new Dictionary<string, string>(), _ct))!.Value.Stored;
        }
        else
        {
            var map = await client.CoreV1.ReadNamespacedConfigMapAsync(CommandPlans.NameOf("c"), "default", cancellationToken: _ct);
            using var buffer = new MemoryStream();
            await using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)) await System.Text.Json.JsonSerializer.SerializeAsync(gzip, other, cancellationToken: _ct);
            map.BinaryData["targets.json.gz"] = buffer.ToArray();
            await client.CoreV1.ReplaceNamespacedConfigMapAsync(map, map.Metadata.Name, "default", cancellationToken: _ct);
            tampered = recorded;
        }

        var loaded = await plans.LoadAsync(tampered, _ct);

        Assert.Equal(other, loaded!.Targets);
        Assert.False(loaded.Intact);
    }

    private static readonly PlanSeal Seal = new(() => "the operator's secret");

    /// <summary>Command default/c, not started.</summary>
    private Task<V1Alpha1DiagnosticCommand> CreateCommandAsync(IKubernetes client) => client.CustomObjects.CreateNamespacedCustomObjectAsync<V1Alpha1DiagnosticCommand>(
        new V1Alpha1DiagnosticCommand { Metadata = new V1ObjectMeta { Name = "c", NamespaceProperty = "default" }, Spec = Spec() },
        ApiGroup.Name, ApiGroup.Version, "default", V1Alpha1DiagnosticCommand.Plural, cancellationToken: _ct);

    /// <summary>The stored command with its plan annotations taken off, as a user with update rights could write it.</summary>
    private async Task<V1Alpha1DiagnosticCommand> FreshCopyWithoutPlanAsync(IKubernetes client)
    {
        var copy = await client.CustomObjects.GetNamespacedCustomObjectAsync<V1Alpha1DiagnosticCommand>(ApiGroup.Name, ApiGroup.Version, "default", V1Alpha1DiagnosticCommand.Plural, "c", cancellationToken: _ct);
        foreach (var key in new[] { CommandPlans.PlanAnnotation, PlanSeal.Annotation }) copy.Metadata.Annotations.Remove(key);
        return await client.CustomObjects.ReplaceNamespacedCustomObjectAsync<V1Alpha1DiagnosticCommand>(copy, ApiGroup.Name, ApiGroup.Version, "default", V1Alpha1DiagnosticCommand.Plural, "c", cancellationToken: _ct);
    }
}
