using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Security;

/// <summary>
/// A team allowed DiagnosticCommands only in its own namespace points the network checks of its pods
/// elsewhere, as issue 23 found it could: at the API server's port (a port scan) and at the operator's
/// endpoint in ops-system (a request forgery). Where the admission webhook does not refuse them (here it does not
/// cover the shop namespace, as when it is down), the operator refuses both at the start, naming the policy and the
/// rule, and runs no target; a check of the team's own pods still answers. (The agents refuse such destinations
/// again, on the address they resolve: NetworkCheckConfinementTests.)
/// </summary>
[Collection(nameof(ClusterWideCollection))]
public sealed class TenantNetworkTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_pod_target_cannot_make_the_agents_probe_the_api_server_or_request_the_operator()
    {
        var shop = DemoCluster.ShopNamespace;
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var api = cluster.Cluster.Server.Url;
        var operatorPod = await SandboxPods.OperatorAsync(cluster.Client, _ct);
        var operatorUrl = $"http://{operatorPod.Status.PodIP}:{cluster.Cluster.OperatorPort}/metrics";
        await Commands.CreateAsync(cluster.Client, shop, $"scan-api-{suffix}", Commands.OnPods("check.tcp", new() { ["host"] = api.Host, ["port"] = api.Port.ToString() }, "checkout"));
        await Commands.CreateAsync(cluster.Client, shop, $"forge-{suffix}", Commands.OnPods("check.http", new() { ["url"] = operatorUrl }, "checkout"));
        await Commands.CreateAsync(cluster.Client, shop, $"own-{suffix}", Commands.OnPods("check.tcp", new() { ["port"] = DemoCluster.AppPort.ToString() }, "checkout"));

        var scan = await Commands.FinishedAsync(cluster.Client, shop, $"scan-api-{suffix}");
        var forge = await Commands.FinishedAsync(cluster.Client, shop, $"forge-{suffix}");
        var own = await Commands.FinishedAsync(cluster.Client, shop, $"own-{suffix}");

        Assert.Equal((CommandPhase.Failed, CommandPhase.Failed, CommandPhase.Succeeded), (scan.Status!.Phase, forge.Status!.Phase, own.Status!.Phase));
        Assert.Equal((CommandStartGate.PolicyDenied, $"check.tcp of a pod reaches only the pod unless the destination is allowed, and DiagnosticPolicy shop-team does not list {api.Host} in networkCheckDestinations for namespace shop (it lists none); leave out the host to check the target pod"),
            (Commands.Condition(scan, ConditionTypes.Accepted)!.Reason, Commands.Condition(scan, ConditionTypes.Accepted)!.Message));
        Assert.Equal((CommandStartGate.PolicyDenied, $"check.http of a pod reaches only the pod unless the destination is allowed, and DiagnosticPolicy shop-team does not list {operatorPod.Status.PodIP} in networkCheckDestinations for namespace shop (it lists none); leave out the host to check the target pod"),
            (Commands.Condition(forge, ConditionTypes.Accepted)!.Reason, Commands.Condition(forge, ConditionTypes.Accepted)!.Message));
        Assert.Equal((0, 0), (scan.Status.Targets?.Total ?? 0, forge.Status.Targets?.Total ?? 0));
        Assert.All(own.Status.Results!, r => Assert.Equal(CommandPhase.Succeeded, r.Phase));
    }
}
