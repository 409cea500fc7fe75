using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Policies;

namespace Ops.Operator.Tests.Policies;

/// <summary>What policies allow, alone, combined (the most restrictive, naming the one that refused) and by default.</summary>
public sealed class PolicyEvaluatorTests
{
    private static V1Alpha1DiagnosticCommand Command(string action, Dictionary<string, string>? parameters = null, bool nodes = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = "c", NamespaceProperty = "shop", Uid = "u" },
        Spec = new V1Alpha1DiagnosticCommand.CommandSpec
        {
            Action = action,
            Parameters = parameters,
            Target = nodes ? new() { Nodes = new() { Names = ["node-1"] } } : new() { Pods = new() { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "x" } } } },
        },
    };

    private static NamedPolicy Policy(string name, Action<V1Alpha1DiagnosticPolicy.PolicySpec>? set = null)
    {
        var spec = new V1Alpha1DiagnosticPolicy.PolicySpec();
        set?.Invoke(spec);
        return new NamedPolicy(name, spec);
    }

    private static readonly NamedPolicy Heavy = Policy("heavy", s => (s.ActionGroups, s.MaxDumpType) = (["read-only", "dotnet-light", "dotnet-heavy"], "heap"));
    private static readonly NamedPolicy Platform = Policy("platform", s => (s.ActionGroups, s.MaxDumpType, s.NodeTargets, s.Scripts) = ([.. Agent.V1.Actions.ActionGroups.All], "full", true, ["restart"]));

    [Theory]
    [InlineData("processes", null, false, null)]
    [InlineData("dotnet.stacks", null, false, null)]
    [InlineData("dotnet.trace", null, false, "actions")]
    [InlineData("dotnet.dump", null, false, "actions")]
    [InlineData("script.run", "restart", false, "actions")]
    [InlineData("node.info", null, true, "nodeTargets")]
    public void The_default_allows_light_actions_on_own_pods_only(string action, string? script, bool nodes, string? refusedBy)
    {
        var denial = PolicyEvaluator.Refusal(Command(action, script is null ? null : new() { ["script"] = script }, nodes), [NamedPolicy.Default]);

        Assert.Equal(refusedBy, denial?.Rule);
        if (denial is not null) Assert.Contains("the default policy (no DiagnosticPolicy selects namespace shop)", denial.Message);
    }

    [Theory]
    [InlineData("mini", null)]
    [InlineData("heap", null)]
    [InlineData("full", "maxDumpType")]
    public void Dumps_are_allowed_up_to_the_largest_type(string type, string? refusedBy) =>
        Assert.Equal(refusedBy, PolicyEvaluator.Refusal(Command("dotnet.dump", new() { ["type"] = type }), [Heavy])?.Rule);

    [Fact]
    public void A_dump_without_a_type_is_a_mini_dump_and_the_default_allows_no_dump_at_all()
    {
        var granted = Policy("dump-only", s => (s.Actions, s.MaxDumpType) = (["dotnet.dump"], "none"));

        var denial = PolicyEvaluator.Refusal(Command("dotnet.dump"), [granted]);

        Assert.Equal(("dump-only", "maxDumpType"), (denial?.Policy, denial?.Rule));
        Assert.Equal("DiagnosticPolicy dump-only allows dumps up to maxDumpType none in namespace shop; a mini dump was asked for", denial!.Message);
    }

    [Fact]
    public void Scripts_must_be_named_as_well_as_allowed_as_a_group()
    {
        Assert.Null(PolicyEvaluator.Refusal(Command("script.run", new() { ["script"] = "restart" }), [Platform]));
        var denial = PolicyEvaluator.Refusal(Command("script.run", new() { ["script"] = "wipe-disk" }), [Platform]);

        Assert.Equal("scripts", denial?.Rule);
        Assert.Equal("DiagnosticPolicy platform does not allow script \"wipe-disk\" in namespace shop: its scripts are restart", denial!.Message);
    }

    [Fact]
    public void Policies_combine_as_the_most_restrictive_and_the_refusal_names_the_one_that_refused()
    {
        var noHeavy = Policy("audit");

        Assert.Null(PolicyEvaluator.Refusal(Command("dotnet.trace"), [Platform]));
        var denial = PolicyEvaluator.Refusal(Command("dotnet.trace"), [noHeavy, Platform]);
        var nodes = PolicyEvaluator.Refusal(Command("node.info", nodes: true), [Heavy, Platform]);

        Assert.Equal(("audit", "actions"), (denial?.Policy, denial?.Rule));
        Assert.Equal("DiagnosticPolicy audit does not allow dotnet.trace (group dotnet-heavy) in namespace shop: its actionGroups and actions allow group read-only, group dotnet-light", denial!.Message);
        Assert.Equal(("heavy", "nodeTargets"), (nodes?.Policy, nodes?.Rule));
    }

    [Fact]
    public void An_action_allowed_by_name_is_allowed_without_its_group()
    {
        var traceOnly = Policy("trace-only", s => s.Actions = ["dotnet.trace"]);

        Assert.Null(PolicyEvaluator.Refusal(Command("dotnet.trace"), [traceOnly]));
        Assert.Equal("actions", PolicyEvaluator.Refusal(Command("dotnet.gcdump"), [traceOnly])?.Rule);
    }

    [Fact]
    public void Limits_are_the_lowest_of_the_applying_policies()
    {
        var small = Policy("small", s => (s.MaxTargetsPerCommand, s.MaxConcurrentCommands) = (5, 2));

        var tooMany = PolicyEvaluator.TargetsRefusal("shop", 6, [Platform, small]);
        var (limit, limiting) = PolicyEvaluator.ConcurrencyLimit([Platform, small]);

        Assert.Null(PolicyEvaluator.TargetsRefusal("shop", 5, [Platform, small]));
        Assert.Equal("the command matches 6 targets and DiagnosticPolicy small allows at most 5 per command (maxTargetsPerCommand); narrow the selector or sample the targets", tooMany!.Message);
        Assert.Equal((2, "small"), (limit, limiting.Name));
        Assert.Equal(V1Alpha1DiagnosticPolicy.PolicySpec.DefaultMaxConcurrentCommands, PolicyEvaluator.ConcurrencyLimit([NamedPolicy.Default]).Limit);
    }

    [Fact]
    public void Network_destinations_are_those_every_policy_allows()
    {
        var wide = Policy("wide", s => s.NetworkCheckDestinations = ["10.0.0.0/8", "db.shop.svc", "192.168.1.7"]);
        var narrow = Policy("narrow", s => s.NetworkCheckDestinations = ["10.1.0.0/16", "DB.shop.svc."]);

        Assert.Equal(["10.1.0.0/16", "DB.shop.svc.", "db.shop.svc"], NetworkDestinations.Combine([wide, narrow]));
        Assert.Equal(["10.0.0.0/8", "192.168.1.7", "db.shop.svc"], NetworkDestinations.Combine([wide]));
        Assert.Empty(NetworkDestinations.Combine([wide, NamedPolicy.Default]));
    }

    [Theory]
    [InlineData("check.tcp", "host", "127.0.0.1", "127.0.0.1")]
    [InlineData("check.tcp", "host", "2130706433", "2130706433")] // 127.0.0.1 written as a number
    [InlineData("check.tcp", "host", "::ffff:127.0.0.1", "::ffff:127.0.0.1")]
    [InlineData("check.tcp", "host", "kubernetes.default.svc", "kubernetes.default.svc")]
    [InlineData("check.http", "url", "http://10.1.0.5:8080/metrics", "10.1.0.5")]
    [InlineData("check.http", "url", "http://user@[::1]:6443/", "::1")]
    [InlineData("check.http", "url", "http://169.254.169.254/latest/meta-data/", "169.254.169.254")]
    [InlineData("check.http", "url", "http://localhost./", "localhost.")]
    public void A_pod_targets_check_may_name_only_a_listed_destination(string action, string parameter, string value, string host)
    {
        var listing = Policy("listing", s => s.NetworkCheckDestinations = ["10.2.0.0/16", "db.shop.svc"]);

        var denial = PolicyEvaluator.Refusal(Command(action, new() { [parameter] = value, ["port"] = "80" }), [listing]);

        Assert.Equal(("listing", "networkCheckDestinations", $"spec.parameters.{parameter}"), (denial?.Policy, denial?.Rule, denial?.Field));
        Assert.Equal($"{action} of a pod reaches only the pod unless the destination is allowed, and DiagnosticPolicy listing does not list {host} in networkCheckDestinations for namespace shop (it lists only 10.2.0.0/16, db.shop.svc); leave out the host to check the target pod",
            denial!.Message);
    }

    [Fact]
    public void A_listed_destination_the_pod_itself_and_any_host_of_a_node_target_are_allowed()
    {
        var listing = Policy("listing", s => (s.NetworkCheckDestinations, s.NodeTargets) = (["10.2.0.0/16", "db.shop.svc"], true));

        Assert.Null(PolicyEvaluator.Refusal(Command("check.tcp", new() { ["host"] = "10.2.3.4", ["port"] = "5432" }), [listing]));
        Assert.Null(PolicyEvaluator.Refusal(Command("check.tcp", new() { ["host"] = "DB.shop.svc.", ["port"] = "5432" }), [listing]));
        Assert.Null(PolicyEvaluator.Refusal(Command("check.http", new() { ["url"] = "https://db.shop.svc:8443/health" }), [listing]));
        Assert.Null(PolicyEvaluator.Refusal(Command("check.http", new() { ["port"] = "8080", ["path"] = "/health" }), [NamedPolicy.Default]));
        Assert.Null(PolicyEvaluator.Refusal(Command("check.tcp", new() { ["host"] = "127.0.0.1", ["port"] = "6443" }, nodes: true), [listing]));
        Assert.Equal("networkCheckDestinations", PolicyEvaluator.Refusal(Command("check.tcp", new() { ["host"] = "db.shop.svc", ["port"] = "5432" }), [listing, NamedPolicy.Default])?.Rule);
    }

    [Fact]
    public void Heavy_actions_stop_for_the_day_once_the_namespaces_artifacts_reach_the_lowest_limit()
    {
        var small = Policy("small", s => s.MaxArtifactBytesPerDay = 1000);
        var large = Policy("large", s => s.MaxArtifactBytesPerDay = 5000);

        var spent = PolicyEvaluator.ArtifactBytesRefusal("shop", "dotnet.trace", 1000, [large, small]);

        Assert.Null(PolicyEvaluator.ArtifactBytesRefusal("shop", "dotnet.trace", 999, [large, small]));
        Assert.Null(PolicyEvaluator.ArtifactBytesRefusal("shop", "dotnet.stacks", 10_000, [small]));
        Assert.Null(PolicyEvaluator.ArtifactBytesRefusal("shop", "dotnet.dump", 10_000, [Platform]));
        Assert.Equal(("small", "maxArtifactBytesPerDay", "spec.action"), (spent?.Policy, spent?.Rule, spent?.Field));
        Assert.Equal("the commands of namespace shop have written 1000 bytes of artifacts today (UTC) and DiagnosticPolicy small allows 1000 a day (maxArtifactBytesPerDay); dotnet.trace can start again after midnight UTC", spent!.Message);
        Assert.Equal((true, false, false), (PolicyEvaluator.CountsArtifacts("dotnet.gcdump", [Platform, small]), PolicyEvaluator.CountsArtifacts("dotnet.gcdump", [Platform]), PolicyEvaluator.CountsArtifacts("processes", [small])));
    }

    [Fact]
    public void A_policy_applies_where_its_selector_matches_and_the_default_only_where_none_does()
    {
        var shop = new V1Alpha1DiagnosticPolicy { Metadata = new V1ObjectMeta { Name = "shop-team" }, Spec = new() { NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "shop" } } } };
        var broken = new V1Alpha1DiagnosticPolicy { Metadata = new V1ObjectMeta { Name = "broken" }, Spec = new() { NamespaceSelector = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "team", OperatorProperty = "Bogus" }] } } };

        Assert.Equal(["shop-team"], NamespacePolicies.Selecting([shop, broken], new Dictionary<string, string> { ["team"] = "shop" }).Select(p => p.Name));
        Assert.Same(NamedPolicy.Default, Assert.Single(NamespacePolicies.Selecting([shop, broken], new Dictionary<string, string> { ["team"] = "web" })));
    }
}
