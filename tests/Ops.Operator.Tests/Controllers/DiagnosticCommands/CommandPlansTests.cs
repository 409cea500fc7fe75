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

    [Fact]
    public async Task A_saved_plan_loads_back_for_its_command_only_and_a_second_save_keeps_the_first()
    {
        await using var sandbox = await SandboxFixture.StartAsync(new Ops.Sandbox.Hosting.SandboxOptions());
        using var client = SandboxFixture.CreateClient(sandbox);
        var plans = new CommandPlans(client);
        // The plan is owned by the command, so the command must exist: the garbage collector removes what a missing owner owned.
        var command = await client.CustomObjects.CreateNamespacedCustomObjectAsync<V1Alpha1DiagnosticCommand>(
            new V1Alpha1DiagnosticCommand { Metadata = new V1ObjectMeta { Name = "c", NamespaceProperty = "default" }, Spec = Spec() },
            ApiGroup.Name, ApiGroup.Version, "default", V1Alpha1DiagnosticCommand.Plural, cancellationToken: _ct);
        List<CommandTarget> first = [.. Enumerable.Range(0, 5000).Select(i => new CommandTarget($"pod/default/p{i}/main", $"node-{i % 7}", "default", $"p{i}", Guid.NewGuid().ToString(), "main", $"containerd://{i:x12}", $"10.0.{i / 250}.{i % 250}"))];

        await plans.SaveAsync(command, first, _ct);
        var again = await plans.SaveAsync(command, [CommandTarget.ForNode("other")], _ct);
        var loaded = await plans.LoadAsync(command, _ct);
        var stranger = await plans.LoadAsync(new V1Alpha1DiagnosticCommand { Metadata = new V1ObjectMeta { Name = "c", NamespaceProperty = "default", Uid = "someone-else" }, Spec = Spec() }, _ct);

        Assert.Equal(first, again.Targets);
        Assert.Equal(first, loaded!.Targets);
        Assert.Equal(CommandPlans.SpecHash(command.Spec), loaded.SpecHash);
        Assert.Null(stranger);
    }
}
