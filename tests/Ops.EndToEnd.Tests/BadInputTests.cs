using k8s;
using k8s.Models;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>
/// Every kind of wrong command ends with a condition or a per-target message that says what is wrong,
/// and the others run on. Cluster-wide: it adds a node without an agent.
/// </summary>
[Collection(nameof(ClusterWideCollection))]
public sealed class BadInputTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_bad_command_fails_with_a_clear_reason_while_a_good_one_beside_them_succeeds()
    {
        var shop = DemoCluster.ShopNamespace;
        var ops = DemoCluster.OpsNamespace;
        await cluster.Client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "node-ghost", Labels = new Dictionary<string, string> { ["ghost"] = "true" } } }, cancellationToken: _ct);
        try
        {
            await Commands.CreateAsync(cluster.Client, shop, "bad-action", Commands.OnPods("dotnet.nothing", null, "checkout"));
            await Commands.CreateAsync(cluster.Client, shop, "bad-regex", Commands.OnPods("log.grep", new() { ["path"] = "/var/log/app/app.log", ["pattern"] = "(unclosed", ["maxline"] = "5" }, "checkout"));
            await Commands.CreateAsync(cluster.Client, shop, "bad-selector", Commands.OnPods("processes", null, "no-such-app"));
            await Commands.CreateAsync(cluster.Client, shop, "bad-escape", Commands.OnPods("file.tail", new() { ["path"] = "/../../../../etc/hostname" }, "checkout"));
            await Commands.CreateAsync(cluster.Client, shop, "bad-node-namespace", Commands.OnNodes("node.info"));
            await Commands.CreateAsync(cluster.Client, ops, "bad-script", Commands.OnNodes("script.run", new() { ["script"] = "rm-rf" }));
            await Commands.CreateAsync(cluster.Client, ops, "bad-node", Commands.OnNodes("node.info", names: ["node-ghost"]));
            await Commands.CreateAsync(cluster.Client, shop, "good-one", Commands.OnPods("check.http", new() { ["port"] = "8080", ["path"] = "/healthz" }, "checkout"));

            var action = await Commands.FinishedAsync(cluster.Client, shop, "bad-action");
            Assert.Equal(CommandPhase.Failed, action.Status!.Phase);
            Assert.Equal("False", Commands.Condition(action, ConditionTypes.Accepted)!.Status);
            Assert.Equal("UnknownAction", Commands.Condition(action, ConditionTypes.Accepted)!.Reason);
            Assert.StartsWith("spec.action \"dotnet.nothing\" is not an action of the catalogue: ", Commands.Condition(action, ConditionTypes.Failed)!.Message);

            // Refused once by the operator, before any target: every problem named, none sent to an agent.
            var regex = await Commands.FinishedAsync(cluster.Client, shop, "bad-regex");
            Assert.Equal(CommandPhase.Failed, regex.Status!.Phase);
            Assert.Equal("InvalidParameters", Commands.Condition(regex, ConditionTypes.Accepted)!.Reason);
            var problems = Commands.Condition(regex, ConditionTypes.Accepted)!.Message;
            Assert.StartsWith("spec.parameters of log.grep: parameter \"pattern\" is not a valid regular expression: ", problems);
            Assert.EndsWith("; parameter \"maxline\" is not one log.grep takes (path, pattern, maxLines or ignoreCase)", problems);
            Assert.Equal(0, regex.Status.Targets?.Total ?? 0);

            var selector = await Commands.FinishedAsync(cluster.Client, shop, "bad-selector");
            Assert.Equal("NoTargets", Commands.Condition(selector, ConditionTypes.Accepted)!.Reason);
            Assert.Equal($"no running pod in namespace {shop} matches the selector", Commands.Condition(selector, ConditionTypes.Accepted)!.Message);

            var escape = await Commands.FinishedAsync(cluster.Client, shop, "bad-escape");
            Assert.Equal(CommandPhase.Failed, escape.Status!.Phase);
            Assert.All(escape.Status.Results!, r => Assert.Equal("/../../../../etc/hostname does not exist in the target", r.Message));

            var nodeNamespace = await Commands.FinishedAsync(cluster.Client, shop, "bad-node-namespace");
            Assert.Equal("PolicyDenied", Commands.Condition(nodeNamespace, ConditionTypes.Accepted)!.Reason);
            Assert.Equal($"DiagnosticPolicy shop-team does not allow node targets from namespace {shop} (nodeTargets is false): target the namespace's own pods", Commands.Condition(nodeNamespace, ConditionTypes.Accepted)!.Message);

            // The release namespace's policy names the scripts its commands may run: one it does not name never reaches an agent.
            var script = await Commands.FinishedAsync(cluster.Client, ops, "bad-script");
            Assert.Equal(CommandPhase.Failed, script.Status!.Phase);
            Assert.Equal(("PolicyDenied", $"DiagnosticPolicy ops-platform does not allow script \"rm-rf\" in namespace {ops}: its scripts are {ClusterFixture.MarkScript}"),
                (Commands.Condition(script, ConditionTypes.Accepted)!.Reason, Commands.Condition(script, ConditionTypes.Accepted)!.Message));

            var ghost = await Commands.FinishedAsync(cluster.Client, ops, "bad-node");
            Assert.Equal(CommandPhase.Failed, ghost.Status!.Phase);
            Assert.Matches("^(no agent runs on node node-ghost|the agent on node node-ghost is not ready)$", Assert.Single(ghost.Status.Results!).Message);

            var good = await Commands.FinishedAsync(cluster.Client, shop, "good-one");
            Assert.Equal(CommandPhase.Succeeded, good.Status!.Phase);
            Assert.Equal(3, good.Status.Targets!.Succeeded);
        }
        finally
        {
            await cluster.Client.CoreV1.DeleteNodeAsync("node-ghost", cancellationToken: CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_heavy_capture_in_a_namespace_whose_policy_does_not_allow_them_is_refused_naming_the_policy_and_rule()
    {
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ClusterFixture.NoHeavyActionsNamespace } }, cancellationToken: _ct);
        await Commands.CreateAsync(cluster.Client, ClusterFixture.NoHeavyActionsNamespace, "dump-it", Commands.OnPods("dotnet.dump", null, "checkout"));

        var refused = await Commands.FinishedAsync(cluster.Client, ClusterFixture.NoHeavyActionsNamespace, "dump-it");

        Assert.Equal(CommandPhase.Failed, refused.Status!.Phase);
        Assert.Equal("PolicyDenied", Commands.Condition(refused, ConditionTypes.Accepted)!.Reason);
        Assert.Equal($"DiagnosticPolicy no-heavy does not allow dotnet.dump (group dotnet-heavy) in namespace {ClusterFixture.NoHeavyActionsNamespace}: its actionGroups and actions allow group read-only, group dotnet-light",
            Commands.Condition(refused, ConditionTypes.Accepted)!.Message);
    }

    [Fact]
    public async Task A_command_the_schema_refuses_is_never_stored()
    {
        var kubectl = new Kubectl(cluster.KubeconfigPath);
        var result = await kubectl.RunAsync($"apply -n {DemoCluster.ShopNamespace} -f -", """
            apiVersion: ops.dev/v1alpha1
            kind: DiagnosticCommand
            metadata:
              name: refused
            spec:
              action: "Not An Action!"
              timeoutSeconds: 0
              target: {pods: {selector: {matchLabels: {app: checkout}}}}
            """);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.action", result.Stderr);
        Assert.Contains("spec.timeoutSeconds", result.Stderr);
        Assert.Null(await Commands.GetAsync(cluster.Client, DemoCluster.ShopNamespace, "refused"));
    }
}
