using k8s;
using Ops.Demo;
using Ops.Operator.Admission;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticTriggers;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Triggers;

/// <summary>
/// DiagnosticTriggers applied with the real kubectl by a team member, against a real .NET pod made to crash or to
/// fail its readiness probe through the sample app's /chaos endpoints: the command runs on the pod that fired, once
/// per crossing; a limit holds the next one back with a condition and an Event; a bad trigger is refused at apply.
/// </summary>
public sealed class DiagnosticTriggerTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_crash_runs_the_action_once_on_the_restarted_container_and_a_second_crash_in_the_cooldown_is_held_back_and_said()
    {
        var team = await TriggerNamespace.CreateAsync(cluster, "crash", _ct);
        (await team.ApplyAsync("crash", """
            target:
              selector: {matchLabels: {app: shop}}
              container: api
            condition: {containerRestarted: {}}
            action: {action: dotnet.stacks, timeoutSeconds: 60}
            limits: {cooldownSeconds: 600, maxActionsPerPod: 5}
            """)).EnsureSuccess();
        await team.StatusAsync("crash", s => s.Pods?.SingleOrDefault()?.State == TriggerPodStates.Watching, "the trigger to watch the pod", _ct);

        await team.ChaosAsync("/chaos/crash", _ct);
        var fired = await team.StatusAsync("crash", s => s.Firings?.Any(f => f.Outcome == TriggerFiringOutcomes.Fired) == true, "the trigger to fire", _ct);
        var firing = fired.Status!.Firings!.Single();
        var command = await Commands.FinishedAsync(cluster.Client, team.Name, firing.Command!, Timeouts.SlowCommand);

        Assert.Equal(("app", "container api restarted (restart 1, Error, exit code 134)"), (firing.Pod, firing.Message));
        Assert.True(command.Status!.Phase == CommandPhase.Succeeded, KubernetesJson.Serialize(command.Status));
        Assert.Equal([("app", "api")], command.Status.Results!.Select(r => (r.Target.Pod, r.Target.Container)));
        Assert.Equal(["app"], command.Spec.Target.Pods!.Names!);
        Assert.Equal(("crash", fired.Metadata.Uid), (command.Metadata.Labels["ops.dev/trigger"], command.Metadata.OwnerReferences.Single().Uid));
        Assert.Equal(team.User, Requester.Of(command.Metadata)?.Username);
        Assert.Contains(await team.EventsAsync("crash", "Fired", _ct), e => e.Message == $"pod app: container api restarted (restart 1, Error, exit code 134); started DiagnosticCommand {firing.Command}");

        await team.ChaosAsync("/chaos/crash", _ct);
        var held = await team.StatusAsync("crash", s => s.Firings?.Any(f => f.Outcome == TriggerFiringOutcomes.Withheld) == true, "the second crash to be held back", _ct);

        var withheld = held.Status!.Firings!.Single(f => f.Outcome == TriggerFiringOutcomes.Withheld);
        Assert.StartsWith("container api restarted (restart 2, Error, exit code 134), held back: pod app fired at ", withheld.Message);
        Assert.EndsWith("and cools down for 600 s (limits.cooldownSeconds)", withheld.Message);
        var limit = held.Status.Conditions!.Single(c => c.Type == TriggerConditions.LimitReached);
        Assert.Equal(("True", "Cooldown"), (limit.Status, limit.Reason));
        await Eventually.True(async () => (await team.EventsAsync("crash", "LimitReached", _ct)).Any(e => e.Type == "Warning" && e.Message == withheld.Message), "the LimitReached Event");
        Assert.Single(await team.CommandsOfAsync("crash", _ct));
        Assert.Equal((1, 1), (held.Status.Totals!.Fired, held.Status.Totals.Withheld));
    }

    [Fact]
    public async Task A_cpu_burn_judged_by_the_agent_runs_the_stacks_of_the_burning_process_which_name_BurnCpu()
    {
        var team = await TriggerNamespace.CreateAsync(cluster, "cpu", _ct);
        (await team.ApplyAsync("hot", """
            target:
              selector: {matchLabels: {app: shop}}
            condition: {counter: {name: cpu-usage, threshold: 15, forSeconds: 3, intervalSeconds: 1}}
            action: {action: dotnet.stacks, parameters: {format: text}}
            """)).EnsureSuccess();
        var watching = await team.StatusAsync("hot", s => s.Pods?.SingleOrDefault() is { State: TriggerPodStates.Watching, Value: not null }, "the agent's first cpu-usage value", _ct);

        await team.ChaosAsync("/chaos/cpu?seconds=30", _ct);
        var fired = await team.StatusAsync("hot", s => s.Firings?.Any(f => f.Outcome == TriggerFiringOutcomes.Fired) == true, "the trigger to fire", _ct);
        var firing = fired.Status!.Firings!.Single();
        var command = await Commands.FinishedAsync(cluster.Client, team.Name, firing.Command!, Timeouts.SlowCommand);
        var shard = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync(command.Status!.Results![0].ResultRef, team.Name, cancellationToken: _ct);
        var output = string.Concat(shard.Data.Values);

        Assert.Equal("cpu-usage > 15 for 3s", watching.Status!.ConditionSummary);
        Assert.Matches(@"^cpu-usage [0-9.]+ above 15 for 3 s or more \(container api, process [0-9]+\)$", firing.Message);
        Assert.True(command.Status!.Phase == CommandPhase.Succeeded, KubernetesJson.Serialize(command.Status));
        Assert.NotNull(command.Spec.Target.Pods!.Process!.Pid);
        Assert.Contains("Ops.SampleApp.Chaos.CpuBurner.BurnCpu", output);
    }

    [Fact]
    public async Task Readiness_lost_for_forSeconds_runs_the_action_on_the_live_process()
    {
        var team = await TriggerNamespace.CreateAsync(cluster, "unready", _ct);
        (await team.ApplyAsync("unready", """
            target:
              selector: {matchLabels: {app: shop}}
            condition: {readinessLost: {forSeconds: 3}}
            action: {action: dotnet.stacks}
            """)).EnsureSuccess();
        await team.StatusAsync("unready", s => s.Pods?.SingleOrDefault()?.State == TriggerPodStates.Watching, "the trigger to watch the pod", _ct);

        await team.ChaosAsync("/chaos/unready?seconds=60", _ct);
        var fired = await team.StatusAsync("unready", s => s.Firings?.Any(f => f.Outcome == TriggerFiringOutcomes.Fired) == true, "the trigger to fire", _ct);
        var firing = fired.Status!.Firings!.Single();
        var command = await Commands.FinishedAsync(cluster.Client, team.Name, firing.Command!, Timeouts.SlowCommand);
        var cooling = await team.StatusAsync("unready", s => s.Pods?.SingleOrDefault()?.State == TriggerPodStates.CoolingDown, "the pod to cool down", _ct);

        Assert.StartsWith("not Ready since ", firing.Message);
        Assert.True(command.Status!.Phase == CommandPhase.Succeeded, KubernetesJson.Serialize(command.Status));
        Assert.StartsWith($"fired at ", cooling.Status!.Pods![0].Message);
        Assert.Equal(1, cooling.Status.Totals!.FiredInWindow);
    }

    [Fact]
    public async Task Hostile_triggers_are_refused_at_apply_naming_the_field_and_without_the_webhook_by_their_status()
    {
        var team = await TriggerNamespace.CreateAsync(cluster, "bad", _ct);

        var dump = await team.ApplyAsync("dump", """
            target: {selector: {matchLabels: {app: shop}}}
            condition: {containerRestarted: {reason: OOMKilled}}
            action: {action: dotnet.dump, parameters: {type: full}}
            """);
        var both = await team.ApplyAsync("both", """
            target: {selector: {matchLabels: {app: shop}}}
            condition: {containerRestarted: {}, readinessLost: {}}
            action: {action: dotnet.stacks}
            """);
        var unknownCounter = await team.ApplyAsync("typo", """
            target: {selector: {matchLabels: {app: shop}}}
            condition: {counter: {name: cpu_usage, threshold: 50}}
            action: {action: dotnet.stacks}
            """);
        var negativeWindow = await team.ApplyAsync("negative", """
            target: {selector: {matchLabels: {app: shop}}}
            condition: {containerRestarted: {}}
            action: {action: dotnet.stacks}
            limits: {windowSeconds: -5}
            """);
        var noAction = await team.ApplyAsync("idle", """
            target: {selector: {matchLabels: {app: shop}}}
            condition: {containerRestarted: {}}
            """);
        // A namespace the webhooks do not check stands for a cluster whose webhook is down: the controller refuses it.
        var open = await cluster.CreateNamespaceAsync("nohook");
        await new Kubectl(cluster.KubeconfigPath).OkAsync($"apply -n {open} -f -", """
            apiVersion: ops.dev/v1alpha1
            kind: DiagnosticTrigger
            metadata: {name: both}
            spec:
              target: {selector: {matchLabels: {app: shop}}}
              condition: {containerRestarted: {}, readinessLost: {}}
              action: {action: dotnet.stacks}
            """);
        var refused = await Eventually.Get(async () => await new TriggerNamespace(cluster, open, "").GetAsync("both", _ct) is { Status.Conditions: { } c } t && c.Any(x => x.Type == TriggerConditions.Ready) ? t : null, "the trigger's Ready condition");

        Assert.Equal(1, dump.ExitCode);
        Assert.Contains($"admission webhook \"policy.ops.dev\" denied the request: spec.action.action: DiagnosticPolicy {team.Name}-team does not allow dotnet.dump (group dotnet-heavy) in namespace {team.Name}", dump.Stderr);
        Assert.Contains("denied the request: spec.condition: set exactly one of counter, containerRestarted and readinessLost", both.Stderr);
        // The schema refuses these at create, naming the field.
        Assert.Contains("spec.condition.counter.name", unknownCounter.Stderr);
        Assert.Contains("cpu_usage", unknownCounter.Stderr);
        Assert.Contains("spec.limits.windowSeconds", negativeWindow.Stderr);
        Assert.Contains("spec.action", noAction.Stderr);
        Assert.Equal((1, 1, 1), (unknownCounter.ExitCode, negativeWindow.ExitCode, noAction.ExitCode));
        var ready = refused.Status!.Conditions!.Single(c => c.Type == TriggerConditions.Ready);
        Assert.Equal(("False", "InvalidCondition", "spec.condition: set exactly one of counter, containerRestarted and readinessLost"), (ready.Status, ready.Reason, ready.Message));
        Assert.Empty(await new TriggerNamespace(cluster, open, "").CommandsOfAsync("both", _ct));
    }

    [Fact]
    public async Task The_sample_triggers_are_accepted_and_watch_every_checkout_pod()
    {
        var kubectl = new Kubectl(cluster.KubeconfigPath);
        var samples = Directory.GetFiles(RepositoryPaths.Samples, "diagnostictrigger-*.yaml").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, samples.Count);
        var shop = new TriggerNamespace(cluster, DemoCluster.ShopNamespace, "");
        try
        {
            foreach (var sample in samples) await kubectl.OkAsync($"apply -n {DemoCluster.ShopNamespace} -f {sample}");

            foreach (var name in new[] { "checkout-hot", "checkout-crash", "checkout-heap" })
            {
                var watching = await shop.StatusAsync(name, s => s.Pods is { Count: 3 } pods && pods.All(p => p.State == TriggerPodStates.Watching && (name == "checkout-crash" || p.Value is not null)),
                    $"{name} to watch the three checkout pods", _ct);
                Assert.Equal("True", watching.Status!.Conditions!.Single(c => c.Type == TriggerConditions.Ready).Status);
                Assert.Empty(await shop.CommandsOfAsync(name, _ct));
            }
        }
        finally
        {
            await kubectl.RunAsync($"delete dtrig -n {DemoCluster.ShopNamespace} checkout-hot checkout-crash checkout-heap");
        }
    }
}
