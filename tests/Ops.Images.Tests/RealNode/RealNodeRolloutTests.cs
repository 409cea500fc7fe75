using System.Text.Json;
using k8s;
using k8s.Models;
using Ops.Demo;
using Ops.Operator.Agents;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.Images.Tests.RealNode;

/// <summary>
/// AgentVersion rollouts by image tag on containerd nodes: a tag the registry lacks leaves the canary's pod in
/// ImagePullBackOff and is rolled back, so is a build whose self-test fails, and a good build reaches every node.
/// </summary>
public sealed class RealNodeRolloutTests(ImagesFixture images, RealNodeCluster real) : IClassFixture<RealNodeCluster>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private static readonly string[] Nodes = ["node-1", "node-2", "node-3"];

    private string Manifest(string name, string tag) => """
        {"apiVersion": "ops.dev/v1alpha1", "kind": "AgentVersion", "metadata": {"name": "NAME"},
         "spec": {"version": "TAG", "image": "REGISTRY/ops-agent:TAG",
                  "strategy": {"maxUnavailable": 1,
                               "canary": {"nodeSelector": {"matchLabels": {"ops.dev/canary": "true"}}, "steps": [{"nodes": 1}, {"percent": 100}]},
                               "healthGate": {"minReadySeconds": 1, "selfTest": true, "maxFailedNodes": 0, "readyTimeoutSeconds": 20},
                               "autoRollback": true}}}
        """.Replace("NAME", name, StringComparison.Ordinal).Replace("TAG", tag, StringComparison.Ordinal).Replace("REGISTRY", images.Registry, StringComparison.Ordinal);

    private async Task<V1Alpha1AgentVersion> RollAsync(IKubernetes client, string name, string tag, string phase, Func<Task>? meanwhile = null)
    {
        await client.CustomObjects.CreateClusterCustomObjectAsync(JsonDocument.Parse(Manifest(name, tag)).RootElement, ApiGroup.Name, ApiGroup.Version, V1Alpha1AgentVersion.Plural, cancellationToken: _ct);
        if (meanwhile is not null) await meanwhile();
        return await Eventually.Get(async () => await client.CustomObjects.GetClusterCustomObjectAsync<V1Alpha1AgentVersion>(ApiGroup.Name, ApiGroup.Version, V1Alpha1AgentVersion.Plural, name, _ct) is { Status.Phase: var p } av && p == phase ? av : null,
            $"AgentVersion {name} {phase}", Timeouts.ClusterStart);
    }

    private async Task<Dictionary<string, string>> ImagesByNodeAsync(IKubernetes client) =>
        (await client.CoreV1.ListNamespacedPodAsync(DemoCluster.OpsNamespace, labelSelector: AgentRegistry.AgentLabel, cancellationToken: _ct)).Items
            .Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.ContainerStatuses?.SingleOrDefault()?.Ready == true)
            .ToDictionary(p => p.Spec.NodeName, p => p.Spec.Containers.Single().Image, StringComparer.Ordinal);

    private async Task<Dictionary<string, string>> ReportedVersionsAsync(IKubernetes client, string command)
    {
        await Commands.CreateAsync(client, DemoCluster.OpsNamespace, command, Commands.OnNodes("node.info", names: [.. Nodes]));
        var done = await Commands.FinishedAsync(client, DemoCluster.OpsNamespace, command);
        return done.Status!.Results!.ToDictionary(r => r.Target.Node!, r => JsonDocument.Parse(r.Summary!).RootElement.GetProperty("agentVersion").GetString()!, StringComparer.Ordinal);
    }

    [Fact]
    public async Task A_missing_tag_and_a_failing_build_roll_back_and_a_good_build_reaches_every_node()
    {
        var cluster = await real.StartAsync(images);
        var client = cluster.Client;
        var current = $"{images.Registry}/ops-agent:{ImagesFixture.Tag}";

        var missing = await RollAsync(client, "agent-missing", "9.9.9-missing", RolloutPhase.RolledBack, () =>
            Eventually.True(async () => (await client.CoreV1.ListNamespacedPodAsync(DemoCluster.OpsNamespace, labelSelector: AgentRegistry.AgentLabel, fieldSelector: "spec.nodeName=node-1", cancellationToken: _ct)).Items
                .Any(p => p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason == "ImagePullBackOff"), "the canary's pod in ImagePullBackOff", Timeouts.ClusterStart));
        Assert.Equal(["node-1"], missing.Status!.FailedNodes!);
        await Eventually.True(async () => (await ImagesByNodeAsync(client)) is { Count: 3 } byNode && byNode.Values.All(i => i == current), "every node back on the old image");

        var failing = await RollAsync(client, "agent-selftest", $"{ImagesFixture.Tag}-selftest-fails", RolloutPhase.RolledBack);
        Assert.Contains("agent.selftest failed", failing.Status!.StepHistory![0].Message);
        await Eventually.True(async () => (await ImagesByNodeAsync(client)) is { Count: 3 } byNode && byNode.Values.All(i => i == current), "every node back on the old image");
        Assert.All(await ReportedVersionsAsync(client, "versions-after-rollbacks"), v => Assert.Equal(ImagesFixture.Tag, v.Value));

        await RollAsync(client, "agent-next", ImagesFixture.NextAgentTag, RolloutPhase.Succeeded);
        Assert.All(await ReportedVersionsAsync(client, "versions-after-rollout"), v => Assert.Equal(ImagesFixture.NextAgentTag, v.Value));
        Assert.Equal(Nodes, (await ReportedVersionsAsync(client, "nodes-after-rollout")).Keys.Order(StringComparer.Ordinal));
    }
}
