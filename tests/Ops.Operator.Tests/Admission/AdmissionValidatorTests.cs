using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.ControllerRuntime.Informers;
using Ops.Operator.Admission;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.Operator.Controllers.DiagnosticTriggers;
using Ops.Operator.Policies;

namespace Ops.Operator.Tests.Admission;

/// <summary>
/// The validating webhook refuses what a command's start would refuse (catalogue, target, policies; a task's schedule and
/// template) with the field and the rule, a change of the requester, and nothing the operator writes on a command already admitted.
/// </summary>
public sealed class AdmissionValidatorTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _informers = new();
    private AdmissionValidator _validator = null!;

    private static readonly V1Alpha1DiagnosticPolicy Shop = new()
    {
        Metadata = new V1ObjectMeta { Name = "shop-team" },
        Spec = new() { NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "shop" } }, ActionGroups = ["read-only", "dotnet-light", "dotnet-heavy"], MaxDumpType = "mini" },
    };

    public async ValueTask InitializeAsync()
    {
        var ns = new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop", Labels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "shop" } } };
        var policies = new ResourceInformer<V1Alpha1DiagnosticPolicy>(new FrozenSource<V1Alpha1DiagnosticPolicy>("DiagnosticPolicy", [Shop]), new InformerOptions(), TimeProvider.System, NullLogger.Instance);
        var namespaces = new ResourceInformer<V1Namespace>(new FrozenSource<V1Namespace>("Namespace", [ns]), new InformerOptions(), TimeProvider.System, NullLogger.Instance);
        foreach (var informer in new IInformer[] { policies, namespaces })
        {
            _ = informer.RunAsync(_informers.Token);
            await informer.ReadyAsync(TestContext.Current.CancellationToken);
        }
        var commands = new CommandSpecCheck(new CommandPolicy(), new TargetResolver(), new NamespacePolicies(policies, namespaces));
        _validator = new AdmissionValidator(commands, new TriggerSpecCheck(commands));
    }

    public async ValueTask DisposeAsync()
    {
        await _informers.CancelAsync();
        _informers.Dispose();
    }

    private static JsonObject Command(string action, Dictionary<string, string>? parameters = null, bool nodes = false, string? requester = null, string app = "checkout") =>
        JsonNode.Parse(KubernetesJson.Serialize(new V1Alpha1DiagnosticCommand
        {
            Metadata = new V1ObjectMeta { Name = "c", Annotations = requester is null ? null : new Dictionary<string, string> { [Requester.Annotation] = requester } },
            Spec = new()
            {
                Action = action, Parameters = parameters,
                Target = nodes ? new() { Nodes = new() { Names = ["node-1"] } } : new() { Pods = new() { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } } } },
            },
        }))!.AsObject();

    private static AdmissionRequest Request(string kind, JsonObject obj, JsonObject? old = null, string user = "alice", string ns = "shop") =>
        new("u", old is null ? "CREATE" : "UPDATE", "ops.dev", kind, ns, user, ["shop-devs"], obj, old);

    [Theory]
    [InlineData("script.run", "script", "node-maintenance", false, "spec.action: DiagnosticPolicy shop-team does not allow script.run (group scripts) in namespace shop")]
    [InlineData("dotnet.dump", "type", "full", false, "spec.parameters.type: DiagnosticPolicy shop-team allows dumps up to maxDumpType mini in namespace shop")]
    [InlineData("node.info", null, null, true, "spec.target.nodes: DiagnosticPolicy shop-team does not allow node targets from namespace shop (nodeTargets is false)")]
    [InlineData("check.tcp", "host", "127.0.0.1", false, "spec.parameters.host: check.tcp of a pod reaches only the pod unless the destination is allowed, and DiagnosticPolicy shop-team does not list 127.0.0.1 in networkCheckDestinations")]
    [InlineData("check.http", "url", "http://10.0.0.9:8080/metrics", false, "spec.parameters.url: check.http of a pod reaches only the pod unless the destination is allowed, and DiagnosticPolicy shop-team does not list 10.0.0.9")]
    public void What_a_policy_forbids_is_refused_with_the_field_and_the_rule(string action, string? parameter, string? value, bool nodes, string message)
    {
        var parameters = parameter is null ? null : new Dictionary<string, string> { [parameter] = value! };
        if (action == "check.tcp") parameters!["port"] = "80";

        var refusal = _validator.Refusal(Request(V1Alpha1DiagnosticCommand.KindName, Command(action, parameters, nodes)));

        Assert.Equal((403, CommandStartGate.PolicyDenied), (refusal?.Code, refusal?.Reason));
        Assert.StartsWith(message, refusal!.Message);
    }

    [Fact]
    public void What_the_schema_cannot_check_is_refused_as_invalid()
    {
        var unknown = _validator.Refusal(Request(V1Alpha1DiagnosticCommand.KindName, Command("no.such")));
        var parameter = _validator.Refusal(Request(V1Alpha1DiagnosticCommand.KindName, Command("check.tcp", new() { ["port"] = "70000" })));
        var selector = _validator.Refusal(Request(V1Alpha1DiagnosticCommand.KindName, Command("processes", app: "Bad Value!")));

        Assert.Equal((422, "UnknownAction"), (unknown?.Code, unknown?.Reason));
        Assert.StartsWith("spec.parameters of check.tcp: parameter \"port\"", parameter?.Message);
        Assert.StartsWith("spec.target.pods.selector: ", selector?.Message);
        Assert.Null(_validator.Refusal(Request(V1Alpha1DiagnosticCommand.KindName, Command("dotnet.trace"))));
    }

    [Fact]
    public void A_task_is_refused_for_its_schedule_zone_or_template()
    {
        JsonObject Task(string schedule, string? zone, JsonObject template) => JsonNode.Parse(KubernetesJson.Serialize(new V1Alpha1ScheduledTask
        {
            Metadata = new V1ObjectMeta { Name = "t" },
            Spec = new() { Schedule = schedule, TimeZone = zone, Template = new() { Spec = KubernetesJson.Deserialize<V1Alpha1DiagnosticCommand>(template.ToJsonString()).Spec } },
        }))!.AsObject();

        var cron = _validator.Refusal(Request(V1Alpha1ScheduledTask.KindName, Task("61 * * * *", null, Command("processes"))));
        var zone = _validator.Refusal(Request(V1Alpha1ScheduledTask.KindName, Task("0 * * * *", "Mars/Olympus", Command("processes"))));
        var template = _validator.Refusal(Request(V1Alpha1ScheduledTask.KindName, Task("0 * * * *", null, Command("dotnet.dump", new() { ["type"] = "heap" }))));

        Assert.Equal((422, "InvalidSchedule"), (cron?.Code, cron?.Reason));
        Assert.StartsWith("spec.schedule \"61 * * * *\"", cron!.Message);
        Assert.StartsWith("spec.timeZone \"Mars/Olympus\"", zone?.Message);
        Assert.StartsWith("spec.template.spec.parameters.type: DiagnosticPolicy shop-team allows dumps up to maxDumpType mini", template?.Message);
        Assert.Null(_validator.Refusal(Request(V1Alpha1ScheduledTask.KindName, Task("*/5 * * * *", "Europe/Paris", Command("processes")))));
        // As kubectl sends it.
        Assert.Null(_validator.Refusal(Request(V1Alpha1ScheduledTask.KindName, JsonNode.Parse("""
            {"apiVersion": "ops.dev/v1alpha1", "kind": "ScheduledTask", "metadata": {"name": "every-minute"}, "spec": {"schedule": "* * * * *", "template": {"spec": {"action": "processes", "target": {"pods": {"selector": {"matchLabels": {"app": "checkout"}}}}}}}}
            """)!.AsObject())));
    }

    [Fact]
    public void The_requester_cannot_change_and_an_admitted_commands_other_updates_pass()
    {
        var alice = new Requester("alice", ["shop-devs"]).ToAnnotation();
        var admitted = Command("script.run", new() { ["script"] = "x" }, requester: alice); // admitted before the policy forbade it
        var relabelled = admitted.DeepClone().AsObject();
        relabelled["metadata"]!["finalizers"] = new JsonArray("ops.dev/cleanup");
        var claimed = admitted.DeepClone().AsObject();
        claimed["metadata"]!["annotations"]![Requester.Annotation] = new Requester("cluster-admin", []).ToAnnotation();
        var unstamped = Command("processes");
        var stampedLater = Command("processes", requester: alice);

        var change = _validator.Refusal(Request(V1Alpha1DiagnosticCommand.KindName, claimed, old: admitted, user: "mallory"));

        Assert.Equal((403, "RequesterImmutable"), (change?.Code, change?.Reason));
        Assert.Equal("metadata.annotations[ops.dev/requested-by]: who asked for DiagnosticCommand shop/c is recorded when it is created and cannot be changed (it is alice (groups shop-devs))", change!.Message);
        Assert.NotNull(_validator.Refusal(Request(V1Alpha1DiagnosticCommand.KindName, stampedLater, old: unstamped)));
        Assert.Null(_validator.Refusal(Request(V1Alpha1DiagnosticCommand.KindName, relabelled, old: admitted, user: "system:serviceaccount:ops-system:ops-operator")));
    }
}
