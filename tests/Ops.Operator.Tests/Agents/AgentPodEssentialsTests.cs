using k8s;
using k8s.Models;
using Ops.Operator.Agents;
using Ops.Operator.Controllers.AgentVersions;
using Ops.Operator.Tests.Controllers.AgentVersions;

namespace Ops.Operator.Tests.Agents;

/// <summary>What the informer keeps of agent pods is enough for a rollout to see its fleet as the whole pods show it.</summary>
public sealed class AgentPodEssentialsTests
{
    private static readonly V1DaemonSet DaemonSet = new()
    {
        Metadata = new V1ObjectMeta { Name = "ops-agent", Uid = "ds-uid" },
        Spec = new V1DaemonSetSpec { Template = new V1PodTemplateSpec { Spec = new V1PodSpec { NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" } } } },
    };

    private static V1Node Node(string name, bool canary) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name, Uid = $"uid-{name}", ResourceVersion = "7",
            Labels = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux", ["zone"] = "a", ["canary"] = canary ? "true" : "false" },
        },
    };

    private static V1Pod Pod(string node, AgentTemplate template, bool ready, int restarts) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"ops-agent-{node}", NamespaceProperty = "ops-system", Uid = $"pod-{node}", ResourceVersion = "42",
            CreationTimestamp = TestFleet.Now.UtcDateTime.AddMinutes(-3),
            Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "ops-agent", [AgentRegistry.VersionLabel] = template.Version, ["pod-template-generation"] = "3" },
            OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "DaemonSet", Name = "ops-agent", Uid = "ds-uid", Controller = true, BlockOwnerDeletion = true }],
        },
        Spec = new V1PodSpec
        {
            NodeName = node,
            Containers =
            [
                new V1Container { Name = "agent", Image = template.Image, Env = [.. Enumerable.Range(0, 20).Select(i => new V1EnvVar { Name = $"E{i}", Value = new string('x', 100) })] },
                new V1Container { Name = "log-shipper", Image = "registry.local/shipper:9" },
            ],
        },
        Status = new V1PodStatus
        {
            Phase = "Running", PodIP = "10.0.0.7",
            Conditions =
            [
                new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = TestFleet.Now.UtcDateTime.AddMinutes(-3) },
                new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = TestFleet.Now.UtcDateTime.AddMinutes(-2) },
            ],
            ContainerStatuses = [new V1ContainerStatus { Name = "agent", RestartCount = restarts, Ready = ready, Image = template.Image, ImageID = "sha256:1" }, new V1ContainerStatus { Name = "log-shipper", RestartCount = 1, Image = "x", ImageID = "y" }],
        },
    };

    [Fact]
    public void A_rollout_sees_the_same_fleet_in_what_the_informer_keeps_as_in_the_whole_pods()
    {
        var nodes = new[] { Node("n1", canary: false), Node("n2", canary: true), Node("n3", canary: false) };
        var pods = new[] { Pod("n1", TestFleet.New, ready: true, restarts: 0), Pod("n2", TestFleet.Old, ready: true, restarts: 0), Pod("n3", TestFleet.New, ready: false, restarts: 2) };
        var canary = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["canary"] = "true" } };

        var whole = Fleet.Of(DaemonSet, nodes, pods, TestFleet.New, canary);
        var kept = Fleet.Of(DaemonSet, nodes, pods.Select(AgentPodEssentials.Of), TestFleet.New, canary);

        static object View(FleetNode n) => (n.Name, n.IsCanary, n.RunsTarget, n.Ready, n.ReadySince, n.Restarts, n.CreatedAt, n.Pod?.Metadata.Uid, n.Pod?.Status.PodIP);
        Assert.Equal(whole.Nodes.Select(View), kept.Nodes.Select(View));
        Assert.Equal(["n2", "n1", "n3"], kept.Nodes.Select(n => n.Name));
        Assert.Equal((true, false, 3), (kept.Nodes[1].RunsTarget, kept.Nodes[0].RunsTarget, kept.Nodes[2].Restarts));
        Assert.True(KubernetesJson.Serialize(AgentPodEssentials.Of(pods[0])).Length * 3 < KubernetesJson.Serialize(pods[0]).Length);
    }
}
