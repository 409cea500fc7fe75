using k8s;
using k8s.Models;
using Ops.Operator.Admission;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Security;

/// <summary>
/// The admission webhooks down — their Service gone, so the API server cannot call them and their failurePolicy
/// (Ignore) admits everything — and the three commands of issue 23 applied anyway: the operator refuses each when it
/// starts, naming the policy and the rule, and runs nothing. Cluster-wide: it breaks the webhooks for everyone.
/// </summary>
[Collection(nameof(ClusterWideCollection))]
public sealed class AdmissionDownTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_the_webhooks_down_the_operator_still_refuses_what_they_would_have()
    {
        var admission = new AdmissionTests(cluster);
        var (ns, user) = await admission.TeamAsync("down");
        var api = cluster.Cluster.Server.Url;
        var operatorPod = await SandboxPods.OperatorAsync(cluster.Client, _ct);
        await ServiceOfWebhooksAsync("gone");
        try
        {
            (await admission.ApplyAsync(ns, user, "scan", "check.tcp", $"host: \"{api.Host}\", port: \"{api.Port}\"")).EnsureSuccess();
            (await admission.ApplyAsync(ns, user, "forge", "check.http", $"url: \"http://{operatorPod.Status.PodIP}:{cluster.Cluster.OperatorPort}/metrics\"")).EnsureSuccess();
            (await admission.ApplyAsync(ns, user, "script", "script.run", $"script: {ClusterFixture.MarkScript}, file: /tmp/x")).EnsureSuccess();
            // Nobody replaces what a creator writes while the webhook is down: a forged requester must not read as real.
            (await new Kubectl(cluster.KubeconfigPath).RunAsync($"apply -n {ns} --as {user} -f -", """
                apiVersion: ops.dev/v1alpha1
                kind: DiagnosticCommand
                metadata:
                  name: forged
                  annotations:
                    ops.dev/requested-by: '{"username":"cluster-admin","groups":["system:masters"],"seal":"bm90IGEgc2VhbA=="}'
                spec:
                  action: node.info
                  target:
                    nodes: {names: [node-1]}
                """)).EnsureSuccess();
        }
        finally
        {
            await ServiceOfWebhooksAsync("ops-operator");
        }

        foreach (var (name, rule) in new[] { ("scan", "does not list"), ("forge", "does not list"), ("script", "does not allow script.run") })
        {
            var done = await Commands.FinishedAsync(cluster.Client, ns, name);
            var accepted = Commands.Condition(done, ConditionTypes.Accepted)!;
            Assert.Equal((CommandPhase.Failed, CommandStartGate.PolicyDenied), (done.Status!.Phase, accepted.Reason));
            Assert.Contains($"DiagnosticPolicy {ns}-team {rule}", accepted.Message);
            Assert.Equal(0, done.Status.Targets?.Total ?? 0);
            Assert.Null(Requester.Of(done.Metadata)); // nobody stamped it: the audit line says "unknown"
        }
        await Commands.FinishedAsync(cluster.Client, ns, "forged");
        var forged = await Eventually.Get(async () => (await cluster.Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=forged,reason=PolicyDenied", cancellationToken: _ct)).Items.SingleOrDefault(), "the forged command's refusal");
        Assert.EndsWith(", requested by cluster-admin (groups system:masters), not stamped by the admission webhook", forged.Message);
    }

    private async Task ServiceOfWebhooksAsync(string service)
    {
        var patch = new V1Patch($$"""[{"op": "replace", "path": "/webhooks/0/clientConfig/service/name", "value": "{{service}}"}]""", V1Patch.PatchType.JsonPatch);
        await cluster.Client.AdmissionregistrationV1.PatchValidatingWebhookConfigurationAsync(patch, "ops-operator", cancellationToken: _ct);
        await cluster.Client.AdmissionregistrationV1.PatchMutatingWebhookConfigurationAsync(patch, "ops-operator", cancellationToken: _ct);
    }
}
