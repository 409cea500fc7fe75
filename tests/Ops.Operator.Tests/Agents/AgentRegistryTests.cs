using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Informers;
using Ops.Operator.Agents;

namespace Ops.Operator.Tests.Agents;

public sealed class AgentRegistryTests
{
    private static V1Pod Agent(string name, string node, bool ready, string ip = "10.1.0.5", string version = "1.2.0", bool deleting = false) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name, NamespaceProperty = "ops-system", Labels = new Dictionary<string, string> { [AgentRegistry.VersionLabel] = version },
            DeletionTimestamp = deleting ? DateTime.UtcNow : null,
        },
        Spec = new V1PodSpec { NodeName = node },
        Status = new V1PodStatus { Phase = "Running", PodIP = ip, Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }] },
    };

    [Fact]
    public void A_ready_agent_pod_is_its_nodes_endpoint_and_a_deleted_one_is_forgotten()
    {
        var registry = new AgentRegistry(7443);

        registry.Observe(new ResourceEvent<V1Pod>(WatchEventType.Added, Agent("agent-a", "node-a", ready: true)));
        Assert.Equal(new AgentEndpoint("node-a", "ops-system/agent-a", "10.1.0.5:7443", true, "1.2.0"), registry.For("node-a"));

        registry.Observe(new ResourceEvent<V1Pod>(WatchEventType.Deleted, Agent("agent-a", "node-a", ready: true)));
        Assert.Null(registry.For("node-a"));
    }

    [Fact]
    public void During_a_replacement_the_ready_pod_wins_and_a_terminating_one_is_not_ready()
    {
        var registry = new AgentRegistry(7443);
        registry.Observe(new ResourceEvent<V1Pod>(WatchEventType.Added, Agent("old", "node-a", ready: true, ip: "10.1.0.5", version: "1.2.0")));
        registry.Observe(new ResourceEvent<V1Pod>(WatchEventType.Added, Agent("new", "node-a", ready: false, ip: "10.1.0.9", version: "1.3.0")));
        Assert.Equal("ops-system/old", registry.For("node-a")!.Pod);

        registry.Observe(new ResourceEvent<V1Pod>(WatchEventType.Modified, Agent("old", "node-a", ready: true, deleting: true)));
        Assert.False(registry.For("node-a")!.Ready);
        registry.Observe(new ResourceEvent<V1Pod>(WatchEventType.Modified, Agent("new", "node-a", ready: true, ip: "10.1.0.9", version: "1.3.0")));
        Assert.Equal(("ops-system/new", "10.1.0.9:7443", "1.3.0"), (registry.For("node-a")!.Pod, registry.For("node-a")!.Address, registry.For("node-a")!.Version));

        registry.Observe(new ResourceEvent<V1Pod>(WatchEventType.Deleted, Agent("old", "node-a", ready: false)));
        Assert.Equal("ops-system/new", registry.For("node-a")!.Pod);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void What_the_informer_keeps_of_an_agent_pod_gives_the_same_endpoint_as_the_whole_pod(bool ready, bool deleting)
    {
        var pod = Agent("agent-a", "node-a", ready, deleting: deleting);
        pod.Metadata.Labels["app.kubernetes.io/name"] = "ops-agent";
        pod.Metadata.ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubelet", Operation = "Update" }];
        pod.Spec.Containers = [new V1Container { Name = "agent", Image = "ops-agent:1.2.0", Env = [.. Enumerable.Range(0, 20).Select(i => new V1EnvVar { Name = $"E{i}", Value = new string('x', 100) })] }];
        pod.Status.Conditions!.Add(new V1PodCondition { Type = "ContainersReady", Status = "True" });
        var whole = new AgentRegistry(7443);
        var kept = new AgentRegistry(7443);

        whole.Observe(new ResourceEvent<V1Pod>(WatchEventType.Added, pod));
        var essentials = AgentPodEssentials.Of(pod);
        kept.Observe(new ResourceEvent<V1Pod>(WatchEventType.Added, essentials));

        Assert.Equal(whole.For("node-a"), kept.For("node-a"));
        Assert.Equal((pod.Metadata.Name, pod.Metadata.NamespaceProperty, pod.Metadata.ResourceVersion), (essentials.Metadata.Name, essentials.Metadata.NamespaceProperty, essentials.Metadata.ResourceVersion));
        Assert.True(KubernetesJson.Serialize(essentials).Length * 5 < KubernetesJson.Serialize(pod).Length);
    }
}
