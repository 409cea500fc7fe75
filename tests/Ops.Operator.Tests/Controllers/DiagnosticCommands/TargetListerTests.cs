using System.Net;
using k8s;
using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Operator.Tests.Controllers.DiagnosticCommands;

/// <summary>Targets listed from a real API server, and a list it refuses.</summary>
public sealed class TargetListerTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly ApiFaults _faults = new();
    private SandboxServer _sandbox = null!;
    private Kubernetes _client = null!;
    private TargetLister _lister = null!;

    public async ValueTask InitializeAsync()
    {
        _sandbox = await SandboxFixture.StartAsync(new SandboxOptions(), applyCrds: false);
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_sandbox.KubeconfigPath), _faults);
        _lister = new TargetLister(_client, new TargetResolver());
        foreach (var (name, pool) in new[] { ("node-a", "gpu"), ("node-b", "cpu"), ("node-c", "gpu") })
        {
            await _client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["pool"] = pool } } }, cancellationToken: _ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _sandbox.DisposeAsync();
    }

    private static V1Alpha1DiagnosticCommand Command(V1Alpha1DiagnosticCommand.TargetSpec target) => new()
    {
        Metadata = new V1ObjectMeta { Name = "c", NamespaceProperty = "ops-system", Uid = "cmd-1" },
        Spec = new V1Alpha1DiagnosticCommand.CommandSpec { Action = "processes", Target = target },
    };

    private static V1LabelSelector Pool(string pool) => new() { MatchLabels = new Dictionary<string, string> { ["pool"] = pool } };

    [Fact]
    public async Task Nodes_selected_by_label_are_listed_by_the_API_server_and_become_the_targets()
    {
        var plan = await _lister.ResolveAsync(Command(new() { Nodes = new() { Selector = Pool("gpu") } }), _ct);

        Assert.True(plan.IsValid, plan.Message);
        Assert.Equal(["node-a", "node-c"], plan.Targets.Select(t => t.Node).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(true, "spec.target.pods.selector")]
    [InlineData(false, "spec.target.nodes.selector")]
    public async Task A_list_the_API_server_refuses_fails_the_command_naming_the_selector_and_the_servers_reason(bool pods, string field)
    {
        _faults.Answer(request => request.RequestUri!.Query.Contains("labelSelector", StringComparison.Ordinal) ? HttpStatusCode.BadRequest : null);
        var target = pods ? new V1Alpha1DiagnosticCommand.TargetSpec { Pods = new() { Selector = Pool("gpu") } } : new V1Alpha1DiagnosticCommand.TargetSpec { Nodes = new() { Selector = Pool("gpu") } };

        var plan = await _lister.ResolveAsync(Command(target), _ct);

        Assert.Equal(("SelectorRefused", $"{field}: the API server refused it: injected by the test"), (plan.Reason, plan.Message));
        Assert.True(_faults.Faulted > 0);
    }

    [Fact]
    public async Task A_problem_of_the_spec_is_found_before_anything_is_listed()
    {
        _faults.Throw(request => new InvalidOperationException($"listed {request.RequestUri}"));
        var command = Command(new() { Nodes = new() { Selector = Pool("gpu") }, Pods = new() { Selector = Pool("gpu") } });

        var plan = await _lister.ResolveAsync(command, _ct);

        Assert.Equal("InvalidTarget", plan.Reason);
    }

    [Theory]
    [InlineData("../node-a", 0)]
    [InlineData("NODE-B", 1)]
    [InlineData("", 1)]
    public async Task A_name_that_is_not_a_node_name_fails_the_command_naming_it_and_nothing_is_read(string name, int index)
    {
        // ../node-a was read as GET /api/v1/node-a: a path for another resource, which RBAC forbade, so the command stayed Pending.
        _faults.Throw(request => new InvalidOperationException($"read {request.RequestUri}"));
        List<string> names = index == 0 ? [name, "node-a"] : ["node-a", name];

        var plan = await _lister.ResolveAsync(Command(new() { Nodes = new() { Names = names } }), _ct);

        Assert.Equal(("InvalidTarget", $"spec.target.nodes.names[{index}]: \"{name}\" is not a node name (a DNS-1123 subdomain)"), (plan.Reason, plan.Message));
    }
}
