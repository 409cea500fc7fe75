using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;

namespace Ops.Operator.Tests.Controllers.DiagnosticCommands;

public sealed class TargetResolverTests
{
    private static readonly TargetResolver Resolver = new();

    private static V1Pod Pod(string ns, string name, Dictionary<string, string> labels, string node = "node-a", string phase = "Running", params string[] containers) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels, Uid = $"uid-{name}" },
        Spec = new V1PodSpec { NodeName = node },
        Status = new V1PodStatus
        {
            Phase = phase,
            PodIP = "10.0.0.1",
            ContainerStatuses = [.. (containers.Length == 0 ? ["app"] : containers).Select(c => new V1ContainerStatus
            {
                Name = c, ContainerID = $"containerd://{name}-{c}", State = new V1ContainerState { Running = new V1ContainerStateRunning() },
            })],
        },
    };

    private static V1Node Node(string name, Dictionary<string, string>? labels = null) => new() { Metadata = new V1ObjectMeta { Name = name, Labels = labels } };

    private static V1Alpha1DiagnosticCommand PodCommand(string ns, V1LabelSelector selector, string? container = null, V1Alpha1DiagnosticCommand.SampleSpec? sample = null, string uid = "cmd-1") => new()
    {
        Metadata = new V1ObjectMeta { Name = "c", NamespaceProperty = ns, Uid = uid },
        Spec = new V1Alpha1DiagnosticCommand.CommandSpec
        {
            Action = "processes",
            Target = new V1Alpha1DiagnosticCommand.TargetSpec { Pods = new V1Alpha1DiagnosticCommand.PodTarget { Selector = selector, Container = container }, Sample = sample },
        },
    };

    private static V1LabelSelector App(string app) => new() { MatchLabels = new Dictionary<string, string> { ["app"] = app } };

    private static readonly V1Pod[] Pods =
    [
        Pod("shop", "web-1", new() { ["app"] = "web", ["tier"] = "front" }, containers: ["api", "sidecar"]),
        Pod("shop", "web-2", new() { ["app"] = "web" }, node: "node-b"),
        Pod("shop", "web-3", new() { ["app"] = "web" }, phase: "Pending"),
        Pod("shop", "db-1", new() { ["app"] = "db" }),
        Pod("other", "web-9", new() { ["app"] = "web" }),
    ];

    [Fact]
    public void Pods_come_only_from_the_commands_namespace_and_only_running_containers_count()
    {
        var plan = Resolver.Resolve(PodCommand("shop", App("web")), Pods, []);

        Assert.True(plan.IsValid);
        Assert.Equal(["pod/shop/web-1/api", "pod/shop/web-1/sidecar", "pod/shop/web-2/app"], plan.Targets.Select(t => t.Key).Order());
        Assert.DoesNotContain(plan.Targets, t => t.Namespace == "other");
        var api = plan.Targets.Single(t => t.Container == "api");
        Assert.Equal(("node-a", "containerd://web-1-api", "10.0.0.1"), (api.Node, api.ContainerId, api.PodIp));
    }

    [Fact]
    public void A_container_name_and_match_expressions_narrow_the_targets()
    {
        var selector = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "Exists" }] };

        var plan = Resolver.Resolve(PodCommand("shop", selector, container: "api"), Pods, []);

        Assert.Equal(["pod/shop/web-1/api"], plan.Targets.Select(t => t.Key));
    }

    [Theory]
    [InlineData("one", null, 1)]
    [InlineData("fixed", 2, 2)]
    [InlineData("fixed", 50, 3)]
    [InlineData("percent", 34, 2)]
    [InlineData("percent", 1, 1)]
    [InlineData("all", null, 3)]
    public void Sampling_takes_the_asked_share(string mode, int? value, int expected)
    {
        var plan = Resolver.Resolve(PodCommand("shop", App("web"), sample: new V1Alpha1DiagnosticCommand.SampleSpec { Mode = mode, Value = value }), Pods, []);

        Assert.Equal(expected, plan.Targets.Count);
        Assert.Equal(3, plan.Matched);
    }

    [Fact]
    public void Sampling_is_stable_for_a_command_and_differs_between_commands()
    {
        var many = Enumerable.Range(0, 40).Select(i => Pod("shop", $"p{i}", new() { ["app"] = "web" })).ToArray();
        var sample = new V1Alpha1DiagnosticCommand.SampleSpec { Mode = "fixed", Value = 5 };

        var first = Resolver.Resolve(PodCommand("shop", App("web"), sample: sample), many, []).Targets.Select(t => t.Key).ToList();
        var again = Resolver.Resolve(PodCommand("shop", App("web"), sample: sample), many.Reverse().ToArray(), []).Targets.Select(t => t.Key).ToList();
        var other = Resolver.Resolve(PodCommand("shop", App("web"), sample: sample, uid: "cmd-2"), many, []).Targets.Select(t => t.Key).ToList();

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Node_targets_are_the_nodes_the_selector_matches_whatever_the_namespace_policies_are_checked_before()
    {
        var command = new V1Alpha1DiagnosticCommand
        {
            Metadata = new V1ObjectMeta { Name = "n", NamespaceProperty = "shop", Uid = "u" },
            Spec = new V1Alpha1DiagnosticCommand.CommandSpec
            {
                Action = "node.info",
                Target = new V1Alpha1DiagnosticCommand.TargetSpec { Nodes = new V1Alpha1DiagnosticCommand.NodeTarget { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["pool"] = "web" } } } },
            },
        };
        V1Node[] nodes = [Node("node-a", new() { ["pool"] = "web" }), Node("node-b", new() { ["pool"] = "db" })];

        var allowed = Resolver.Resolve(command, [], nodes);

        Assert.Equal(["node/node-a"], allowed.Targets.Select(t => t.Key));
    }

    [Fact]
    public void Problems_are_reasons_with_messages_that_say_what_to_fix()
    {
        var both = PodCommand("shop", App("web"));
        both.Spec.Target.Nodes = new V1Alpha1DiagnosticCommand.NodeTarget();
        var badOperator = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = "Like", Values = ["w"] }] };
        var unknownNode = new V1Alpha1DiagnosticCommand
        {
            Metadata = new V1ObjectMeta { Name = "n", NamespaceProperty = "ops-system", Uid = "u" },
            Spec = new V1Alpha1DiagnosticCommand.CommandSpec { Action = "node.info", Target = new V1Alpha1DiagnosticCommand.TargetSpec { Nodes = new V1Alpha1DiagnosticCommand.NodeTarget { Names = ["ghost"] } } },
        };

        Assert.Equal("InvalidTarget", Resolver.Resolve(both, Pods, []).Reason);
        Assert.Equal(("InvalidSelector", "spec.target.pods.selector: matchExpressions[0]: operator \"Like\" is not one of In, NotIn, Exists, DoesNotExist"),
            (Resolver.Resolve(PodCommand("shop", badOperator), Pods, []).Reason, Resolver.Resolve(PodCommand("shop", badOperator), Pods, []).Message));
        Assert.Equal("no running pod in namespace shop matches the selector", Resolver.Resolve(PodCommand("shop", App("nothing")), Pods, []).Message);
        Assert.Equal("InvalidSample", Resolver.Resolve(PodCommand("shop", App("web"), sample: new V1Alpha1DiagnosticCommand.SampleSpec { Mode = "percent", Value = 0 }), Pods, []).Reason);
        Assert.Equal("unknown nodes: ghost", Resolver.Resolve(unknownNode, [], [Node("node-a")]).Message);
    }

    [Fact]
    public void A_command_name_longer_than_a_label_value_is_refused_naming_the_field()
    {
        var command = PodCommand("shop", App("web"));
        command.Metadata.Name = new string('a', 64);

        var plan = new TargetResolver().Resolve(command, Pods, []);

        Assert.Equal(("InvalidName", "metadata.name: at most 63 characters, not 64: the command's result ConfigMaps carry it in the ops.dev/command label"), (plan.Reason, plan.Message));
        command.Metadata.Name = new string('a', 63);
        Assert.Null(new TargetResolver().SpecProblem(command));
    }
}
