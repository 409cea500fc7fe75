using System.Diagnostics;
using System.Text.Json;
using k8s;
using k8s.Models;
using Ops.Demo;
using Ops.Operator.Agents;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.AgentVersions;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Rollouts;

/// <summary>
/// AgentVersion rollouts in a 10-node sandbox cluster of real agents: a good version through every step
/// within maxUnavailable while commands keep running, bad versions stopped at the canary and rolled back,
/// an approval pause, and an operator restart in the middle.
/// </summary>
[Collection(nameof(RolloutCollection))]
public sealed class RolloutTests : IAsyncLifetime
{
    private const int NodeCount = 10;
    private const string Ops = DemoCluster.OpsNamespace;
    private static readonly TimeSpan RolloutTimeout = Timeouts.ClusterStart;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly List<string> _nodes = [.. Enumerable.Range(1, NodeCount).Select(i => $"node-{i}")];
    private DemoCluster _cluster = null!;
    private Kubectl _kubectl = null!;

    public async ValueTask InitializeAsync()
    {
        _cluster = await DemoCluster.StartAsync(new DemoOptions { CrdsDirectory = RepositoryPaths.Crds, Nodes = NodeCount, Workload = false, ReadyTimeout = Timeouts.ClusterStart },
            cancellationToken: _ct);
        _kubectl = new Kubectl(_cluster.Server.KubeconfigPath);
    }

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    private IKubernetes Client => _cluster.Client;

    private static string Manifest(string name, string version, string steps, int maxUnavailable = 2) => $$"""
        apiVersion: ops.dev/v1alpha1
        kind: AgentVersion
        metadata:
          name: {{name}}
        spec:
          version: "{{version}}"
          image: ghcr.io/example/ops-agent:{{version}}
          strategy:
            maxUnavailable: {{maxUnavailable}}
            canary:
              nodeSelector:
                matchLabels:
                  ops.dev/canary: "true"
              steps:
        {{steps}}
            healthGate:
              minReadySeconds: 1
              selfTest: true
              maxFailedNodes: 0
              readyTimeoutSeconds: 60
            autoRollback: true
        """;

    private async Task ApplyAsync(string manifest) => (await _kubectl.RunAsync("apply -f -", manifest)).EnsureSuccess();

    private async Task<V1Alpha1AgentVersion> GetAsync(string name) =>
        await Client.CustomObjects.GetClusterCustomObjectAsync<V1Alpha1AgentVersion>(ApiGroup.Name, ApiGroup.Version, V1Alpha1AgentVersion.Plural, name, _ct);

    private Task<V1Alpha1AgentVersion> PhaseAsync(string name, string phase, Func<V1Alpha1AgentVersion, bool>? and = null) =>
        Eventually.Get(async () => await GetAsync(name) is { Status.Phase: var p } av && p == phase && (and is null || and(av)) ? av : null,
            $"AgentVersion {name} to be {phase}", RolloutTimeout);

    private async Task<Dictionary<string, V1Pod>> AgentPodsAsync() =>
        (await Client.CoreV1.ListNamespacedPodAsync(Ops, labelSelector: AgentRegistry.AgentLabel, cancellationToken: _ct)).Items
            .Where(p => p.Metadata.DeletionTimestamp is null).ToDictionary(p => p.Spec.NodeName, StringComparer.Ordinal);

    private static string VersionOf(V1Pod pod) => pod.Metadata.Labels[AgentRegistry.VersionLabel];

    private async Task<List<string>> EventReasonsAsync(string name) =>
        [.. (await Client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: _ct)).Items
            .Where(e => e.InvolvedObject.Kind == V1Alpha1AgentVersion.KindName && e.InvolvedObject.Name == name).OrderBy(e => e.LastTimestamp).Select(e => e.Reason)];

    /// <summary>What each node's agent says of itself through a node.info command run by the operator.</summary>
    private async Task<Dictionary<string, string>> ReportedVersionsAsync(string commandName)
    {
        await Commands.CreateAsync(Client, Ops, commandName, Commands.OnNodes("node.info", names: _nodes));
        var done = await Commands.FinishedAsync(Client, Ops, commandName);
        Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
        return done.Status.Results!.ToDictionary(r => r.Target.Node!, r => JsonDocument.Parse(r.Summary!).RootElement.GetProperty("agentVersion").GetString()!, StringComparer.Ordinal);
    }

    [Fact]
    public async Task A_good_version_rolls_through_every_step_within_max_unavailable_while_commands_keep_running()
    {
        await using var watch = await FleetWatch.StartAsync(Client, _nodes);
        var before = await AgentPodsAsync();
        Assert.All(before.Values, p => Assert.Equal("1.0.0", VersionOf(p)));

        await ApplyAsync(Manifest("agent-1-1-0", "1.1.0", """
                    - nodes: 1
                    - percent: 30
                    - percent: 60
                    - percent: 100
            """));
        // Commands started while agents are being replaced: a target whose agent is going away waits for the new one.
        var commands = new List<string>();
        var rolling = Stopwatch.StartNew();
        while ((await GetAsync("agent-1-1-0")).Status?.Phase is not RolloutPhase.Succeeded && rolling.Elapsed < RolloutTimeout)
        {
            var name = $"during-{commands.Count}";
            await Commands.CreateAsync(Client, Ops, name, Commands.OnNodes("node.info", names: _nodes));
            commands.Add(name);
            await Task.Delay(TimeSpan.FromSeconds(2), _ct);
        }
        var done = await PhaseAsync("agent-1-1-0", RolloutPhase.Succeeded);

        Assert.InRange(watch.MaxUnavailable, 1, 2);
        Assert.Equal([1, 2, 3, 4], done.Status!.StepHistory!.Select(s => s.Step));
        Assert.All(done.Status.StepHistory!, s => Assert.Equal("Completed", s.Result));
        Assert.Equal((4, 4, 10, 10, 10), (done.Status.CurrentStep, done.Status.TotalSteps, done.Status.TotalNodes, done.Status.UpdatedNodes, done.Status.ReadyNodes));
        Assert.Equal(("1.0.0", "ghcr.io/example/ops-agent:1.0.0"), (done.Status.PreviousVersion, done.Status.PreviousImage));
        var after = await AgentPodsAsync();
        Assert.All(_nodes, node => Assert.Equal("1.1.0", VersionOf(after[node])));
        // The canary node went first: its new pod is the oldest of the new ones.
        Assert.Equal("node-1", after.Values.OrderBy(p => p.Metadata.CreationTimestamp).ThenBy(p => p.Spec.NodeName == "node-1" ? 0 : 1).First().Spec.NodeName);
        Assert.All(await ReportedVersionsAsync("versions-after"), v => Assert.Equal("1.1.0", v.Value));
        var ds = await Client.AppsV1.ReadNamespacedDaemonSetAsync("ops-agent", Ops, cancellationToken: _ct);
        Assert.Equal(("OnDelete", "ghcr.io/example/ops-agent:1.1.0"), (ds.Spec.UpdateStrategy.Type, ds.Spec.Template.Spec.Containers.Single().Image));

        Assert.NotEmpty(commands);
        foreach (var name in commands)
        {
            var command = await Commands.FinishedAsync(Client, Ops, name, Timeouts.SlowCommand);
            Assert.True(command.Status!.Phase == CommandPhase.Succeeded, $"{name}: {string.Join("; ", command.Status.Results?.Where(r => r.Phase != "Succeeded").Select(r => $"{r.Target.Node}: {r.Summary}") ?? [])}");
        }
        var reasons = await EventReasonsAsync("agent-1-1-0");
        Assert.Equal("RolloutStarted", reasons[0]);
        Assert.Equal(4, reasons.Count(r => r == "StepCompleted"));
        Assert.Equal("RolloutSucceeded", reasons[^1]);
        Assert.Contains("ops_rollout_step{agentversion=\"agent-1-1-0\"} 4", await SandboxPods.OperatorMetricsAsync(_cluster, _ct));
        // The chart's RBAC allows what the operator did here, and the rollout-only permissions were all used.
        var calls = _cluster.Server.Accesses.Of(global::Ops.Operator.Hosting.OperatorServiceCollectionExtensions.UserAgent);
        Assert.Empty(OperatorRbac.Denied(calls));
        Assert.All(OperatorRbac.RolloutOnly, p => Assert.Contains(calls, c => (c.Group, c.Resource, c.Verb) == p));
    }

    [Theory]
    [InlineData("1.2.0-selftest-fails", "agent.selftest failed: diagnostic ports directory usable")]
    [InlineData("1.2.0-crashes", "the agent container restarted")]
    public async Task A_bad_version_stops_at_the_canary_and_is_rolled_back_on_every_node(string version, string reason)
    {
        await using var watch = await FleetWatch.StartAsync(Client, _nodes);

        await ApplyAsync(Manifest("agent-bad", version, """
                    - nodes: 1
                    - percent: 50
                    - percent: 100
            """));
        var rolledBack = await PhaseAsync("agent-bad", RolloutPhase.RolledBack);

        Assert.Equal(["node-1"], rolledBack.Status!.FailedNodes!);
        Assert.Equal([1], rolledBack.Status.StepHistory!.Select(s => s.Step));
        Assert.Equal("Failed", rolledBack.Status.StepHistory![0].Result);
        Assert.Contains(reason, rolledBack.Status.StepHistory[0].Message);
        var healthy = rolledBack.Status.Conditions!.Single(c => c.Type == RolloutConditions.Healthy);
        Assert.Equal(("False", "HealthGateFailed"), (healthy.Status, healthy.Reason));
        // Only the canary ever ran the bad version, and every node runs the previous one again.
        Assert.Equal(["node-1"], watch.VersionsByNode.Where(v => v.Value.Contains(version)).Select(v => v.Key));
        var after = await AgentPodsAsync();
        Assert.All(_nodes, node => Assert.Equal("1.0.0", VersionOf(after[node])));
        Assert.All(await ReportedVersionsAsync("versions-after"), v => Assert.Equal("1.0.0", v.Value));
        Assert.InRange(watch.MaxUnavailable, 1, 2);
        var reasons = await EventReasonsAsync("agent-bad");
        Assert.Equal(["RolloutStarted", "HealthGateFailed", "RollingBack", "RolledBack"], reasons.Where(r => r is not ("ReplacingAgents" or "StepStarted")).ToList());
    }

    [Fact]
    public async Task A_paused_step_waits_for_approval_and_an_operator_restart_goes_on_from_the_recorded_step()
    {
        await ApplyAsync(Manifest("agent-1-3-0", "1.3.0", """
                    - nodes: 1
                      pause: {}
                    - percent: 50
                      pause: {}
                    - percent: 100
            """, maxUnavailable: 3));
        var paused = await PhaseAsync("agent-1-3-0", RolloutPhase.Paused, av => av.Status!.Conditions!.Any(c => c.Reason == "AwaitingApproval"));
        Assert.Equal((1, 1), (paused.Status!.CurrentStep, paused.Status.UpdatedNodes));
        await Task.Delay(Timeouts.StaysStill, _ct);
        Assert.Equal(1, (await AgentPodsAsync()).Values.Count(p => VersionOf(p) == "1.3.0"));

        // The condition says how to approve; the test runs exactly that.
        var message = paused.Status.Conditions!.Single(c => c.Type == RolloutConditions.Progressing).Message;
        var approve = message[message.IndexOf("kubectl ", StringComparison.Ordinal)..];
        Assert.Equal("kubectl annotate agentversion agent-1-3-0 ops.dev/approved-step=1 --overwrite", approve);
        (await _kubectl.RunAsync(approve["kubectl ".Length..])).EnsureSuccess();
        var second = await PhaseAsync("agent-1-3-0", RolloutPhase.Paused, av => av.Status!.CurrentStep == 2 && av.Status.Conditions!.Any(c => c.Reason == "AwaitingApproval"));
        Assert.Equal(5, second.Status!.UpdatedNodes);
        var updated = (await AgentPodsAsync()).Values.Where(p => VersionOf(p) == "1.3.0").Select(p => p.Metadata.Uid).ToHashSet();
        Assert.Equal(5, updated.Count);

        // SIGKILL the operator while paused at step 2: the restarted one reads the step from the status.
        var operatorPod = await SandboxPods.OperatorAsync(Client, _ct);
        using (var process = Process.GetProcessById(SandboxPods.Pid(operatorPod)))
        {
            process.Kill();
        }
        await Eventually.True(async () => (await Client.CoreV1.ReadNamespacedPodAsync(operatorPod.Metadata.Name, Ops, cancellationToken: _ct)).Status.ContainerStatuses.Single() is { RestartCount: > 0, Ready: true },
            "the operator restarted and ready", Timeouts.ProcessTurnover);
        await Task.Delay(Timeouts.StaysStill, _ct);
        var resumed = await GetAsync("agent-1-3-0");
        Assert.Equal((RolloutPhase.Paused, 2, 5), (resumed.Status!.Phase, resumed.Status.CurrentStep, resumed.Status.UpdatedNodes));
        Assert.Equal(second.Status.StepHistory!.Select(s => (s.Step, s.StartedAt, s.CompletedAt)), resumed.Status.StepHistory!.Select(s => (s.Step, s.StartedAt, s.CompletedAt)));
        Assert.Equal(updated, (await AgentPodsAsync()).Values.Where(p => VersionOf(p) == "1.3.0").Select(p => p.Metadata.Uid).ToHashSet());

        // The second approval through the kubectl plugin: its status says where the rollout waits, pause and resume set
        // spec.paused, approve names the step it approves, and status follows the rollout to its end.
        var ops = new KubectlOps(_cluster.Server.KubeconfigPath);
        var waiting = await ops.RunAsync("rollout", "status", "agent-1-3-0", "--no-follow");
        var pause = await ops.RunAsync("rollout", "pause", "agent-1-3-0");
        var pausedSpec = (await GetAsync("agent-1-3-0")).Spec.Paused;
        var resume = await ops.RunAsync("rollout", "resume", "agent-1-3-0");
        var approved = await ops.RunAsync("rollout", "approve", "agent-1-3-0");
        var followed = await ops.RunAsync(["rollout", "status", "agent-1-3-0"], null, RolloutTimeout);
        var done = await PhaseAsync("agent-1-3-0", RolloutPhase.Succeeded);

        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(waiting.Stdout, @"^agent-1-3-0 1\.3\.0: Paused, step 2/3, 5/10 nodes updated, [0-9]+ ready \(step 2 of 3 is complete .* approve the next step with: kubectl annotate agentversion agent-1-3-0 ops\.dev/approved-step=2 --overwrite\)\n$"), waiting.Stdout);
        Assert.Equal((0, 0, true, false), (pause.ExitCode, resume.ExitCode, pausedSpec, (await GetAsync("agent-1-3-0")).Spec.Paused));
        Assert.Equal("agentversion.ops.dev/agent-1-3-0: step 2 approved; the rollout goes on\n", approved.Stdout);
        Assert.True(followed.ExitCode == 0, followed.Stdout + followed.Stderr);
        var last = followed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.True(last.StartsWith("agent-1-3-0 1.3.0: Succeeded, step 3/3, 10/10 nodes updated, ", StringComparison.Ordinal), followed.Stdout);
        Assert.Equal(10, done.Status!.UpdatedNodes);
        Assert.Equal([1, 2, 3], done.Status.StepHistory!.Select(s => s.Step));
    }

}
