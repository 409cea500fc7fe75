using k8s;
using k8s.Models;
using Ops.Operator.Admission;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Security;

/// <summary>
/// The operator's admission webhooks, called by the API server for a team's namespace (the fixture's webhooks
/// check the namespaces labelled <see cref="ClusterFixture.AdmissionLabel"/>), with the real kubectl acting as a
/// team member allowed DiagnosticCommands and ScheduledTasks only there: the three commands of issue 23 refused
/// at apply with the field and the rule, who asked stamped and kept, and a ScheduledTask's runs asked for by its creator.
/// </summary>
public sealed class AdmissionTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly Kubectl _kubectl = new(cluster.KubeconfigPath);

    [Fact]
    public async Task The_three_commands_of_issue_23_are_refused_at_apply_with_the_field_and_the_rule()
    {
        var (ns, user) = await TeamAsync("refused");
        var api = cluster.Cluster.Server.Url;
        var operatorPod = await SandboxPods.OperatorAsync(cluster.Client, _ct);

        var scan = await ApplyAsync(ns, user, "scan", "check.tcp", $"host: \"{api.Host}\", port: \"{api.Port}\"");
        var forge = await ApplyAsync(ns, user, "forge", "check.http", $"url: \"http://{operatorPod.Status.PodIP}:{cluster.Cluster.OperatorPort}/metrics\"");
        var script = await ApplyAsync(ns, user, "script", "script.run", $"script: {ClusterFixture.MarkScript}, file: /tmp/x");

        const string Denied = "admission webhook \"policy.ops.dev\" denied the request: ";
        Assert.Equal((1, 1, 1), (scan.ExitCode, forge.ExitCode, script.ExitCode));
        Assert.Contains($"{Denied}spec.parameters.host: check.tcp of a pod reaches only the pod unless the destination is allowed, and DiagnosticPolicy {ns}-team does not list {api.Host} in networkCheckDestinations", scan.Stderr);
        Assert.Contains($"{Denied}spec.parameters.url: check.http of a pod reaches only the pod unless the destination is allowed, and DiagnosticPolicy {ns}-team does not list {operatorPod.Status.PodIP} in networkCheckDestinations", forge.Stderr);
        Assert.Contains($"{Denied}spec.action: DiagnosticPolicy {ns}-team does not allow script.run (group scripts) in namespace {ns}", script.Stderr);
        Assert.StartsWith("Error from server (Forbidden)", scan.Stderr);
        foreach (var name in new[] { "scan", "forge", "script" }) Assert.Null(await Commands.GetAsync(cluster.Client, ns, name));
    }

    [Fact]
    public async Task A_command_shows_who_asked_for_it_and_nobody_can_change_that()
    {
        var (ns, user) = await TeamAsync("stamped");

        (await ApplyAsync(ns, user, "processes", "processes", "{}")).EnsureSuccess();
        var reassign = await _kubectl.RunAsync($"annotate dcmd processes -n {ns} {Requester.Annotation}={{\"username\":\"admin\"}} --overwrite --as {user} --as-group shop-devs");
        var byAdmin = await _kubectl.RunAsync($"annotate dcmd processes -n {ns} {Requester.Annotation}- ");
        var yaml = await _kubectl.OkAsync($"get dcmd processes -n {ns} -o yaml");
        var done = await Commands.FinishedAsync(cluster.Client, ns, "processes");
        var refusedEvent = await Eventually.Get(async () => (await cluster.Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=processes,reason=NoTargets", cancellationToken: _ct)).Items.SingleOrDefault(), "the NoTargets event");

        var requester = Requester.Of(done.Metadata)!;
        Assert.Equal(user, requester.Username);
        Assert.Contains("shop-devs", requester.Groups);
        Assert.Contains($"ops.dev/requested-by: '{{\"username\":\"{user}\",\"groups\":[\"shop-devs\"", yaml);
        Assert.Contains($"metadata.annotations[ops.dev/requested-by]: who asked for DiagnosticCommand {ns}/processes is recorded when it is created and cannot be changed (it is {requester.Describe()})", reassign.Stderr);
        Assert.NotEqual(0, byAdmin.ExitCode);
        Assert.EndsWith($", requested by {requester.Describe()}", refusedEvent.Message);
    }

    [Fact]
    public async Task A_scheduled_tasks_runs_are_asked_for_by_its_creator_and_a_bad_task_is_refused_at_apply()
    {
        var (ns, user) = await TeamAsync("tasks");

        var badSchedule = await ApplyTaskAsync(ns, user, "bad-schedule", "61 * * * *", "action: processes");
        var fullDump = await ApplyTaskAsync(ns, user, "full-dump", "* * * * *", "action: dotnet.dump\n      parameters: {type: full}");
        (await ApplyTaskAsync(ns, user, "every-minute", "* * * * *", "action: processes")).EnsureSuccess();
        var run = await Eventually.Get(async () => (await cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync<Ops.ControllerRuntime.Client.CustomResourceList<V1Alpha1DiagnosticCommand>>(
            ApiGroup.Name, ApiGroup.Version, ns, V1Alpha1DiagnosticCommand.Plural, cancellationToken: _ct)).Items.FirstOrDefault(), "the task's first run", TimeSpan.FromSeconds(90));

        Assert.Contains("admission webhook \"policy.ops.dev\" denied the request: spec.schedule \"61 * * * *\" is not a 5-field cron schedule", badSchedule.Stderr);
        Assert.Contains($"denied the request: spec.template.spec.parameters.type: DiagnosticPolicy {ns}-team allows dumps up to maxDumpType mini in namespace {ns}; a full dump was asked for", fullDump.Stderr);
        Assert.Equal(user, Requester.Of(run.Metadata)?.Username);
    }

    /// <summary>
    /// A namespace the webhooks check, with the shop's kind of DiagnosticPolicy (no scripts, no node targets, dumps up to
    /// mini, no network destination), and a user allowed commands and tasks there only. Ready once the operator counts
    /// the namespace in the policy's status: its caches, which the webhook reads, then know both.
    /// </summary>
    internal async Task<(string Namespace, string User)> TeamAsync(string prefix)
    {
        var ns = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { [ClusterFixture.AdmissionLabel] = ClusterFixture.AdmissionChecked } } }, cancellationToken: _ct);
        await TestPolicies.ForNamespaceAsync(cluster.Client, $"{ns}-team", ns, s => (s.ActionGroups, s.MaxDumpType) = (["read-only", "dotnet-light", "dotnet-heavy"], "mini"), _ct);
        var user = $"dev-{ns}";
        var role = await cluster.Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "team" },
            Rules = [new V1PolicyRule { ApiGroups = [ApiGroup.Name], Resources = [V1Alpha1DiagnosticCommand.Plural, V1Alpha1ScheduledTask.Plural], Verbs = ["get", "list", "create", "patch", "update"] }],
        }, ns, cancellationToken: _ct);
        await cluster.Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "team" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = role.Metadata.Name },
            Subjects = [new Rbacv1Subject { Kind = "User", Name = user, ApiGroup = "rbac.authorization.k8s.io" }],
        }, ns, cancellationToken: _ct);
        return (ns, user);
    }

    internal Task<KubectlResult> ApplyAsync(string ns, string user, string name, string action, string parameters) =>
        _kubectl.RunAsync($"apply -n {ns} --as {user} --as-group shop-devs -f -", $$"""
            apiVersion: ops.dev/v1alpha1
            kind: DiagnosticCommand
            metadata:
              name: {{name}}
            spec:
              action: {{action}}
              parameters: {{{parameters.Trim('{', '}')}}}
              target:
                pods:
                  selector:
                    matchLabels: {app: checkout}
            """);

    private Task<KubectlResult> ApplyTaskAsync(string ns, string user, string name, string schedule, string template) =>
        _kubectl.RunAsync($"apply -n {ns} --as {user} --as-group shop-devs -f -", $$"""
            apiVersion: ops.dev/v1alpha1
            kind: ScheduledTask
            metadata:
              name: {{name}}
            spec:
              schedule: "{{schedule}}"
              template:
                spec:
                  {{template}}
                  target:
                    pods:
                      selector:
                        matchLabels: {app: checkout}
            """);
}
