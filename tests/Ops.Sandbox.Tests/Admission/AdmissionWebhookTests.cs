using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Admission;

/// <summary>
/// The sandbox calls admission webhooks as an API server does, tried with the real kubectl: a validating webhook's
/// refusal is what kubectl prints; a mutating webhook's patch is stored and seen by the validating ones; rules,
/// namespaceSelector and failurePolicy decide which webhooks are called and what their failures do; the server's
/// certificate must be vouched for by the caBundle. A sandbox of its own: webhooks are cluster-wide.
/// </summary>
public sealed class AdmissionWebhookTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private SandboxServer _sandbox = null!;
    private Kubernetes _client = null!;
    private TestSupport.Kubectl _kubectl = null!;
    private TestWebhook _webhook = null!;
    private string _ns = "";

    public async ValueTask InitializeAsync()
    {
        _sandbox = await SandboxFixture.StartAsync(new SandboxOptions(), applyCrds: false);
        _client = SandboxFixture.CreateClient(_sandbox);
        _kubectl = new TestSupport.Kubectl(_sandbox.KubeconfigPath);
        _ns = await TestNamespaces.CreateAsync(_client, "adm", _ct);
        _webhook = await TestWebhook.StartAsync("webhook.adm.svc");
    }

    public async ValueTask DisposeAsync()
    {
        await _webhook.DisposeAsync();
        _client.Dispose();
        await _sandbox.DisposeAsync();
    }

    /// <summary>A configuration of one webhook on the test namespace's ConfigMaps, at the test server (or a client config given).</summary>
    private string Configuration(string kind, string name, string failurePolicy = "Fail", string? clientConfig = null, string? matchCondition = null) => $$"""
        apiVersion: admissionregistration.k8s.io/v1
        kind: {{kind}}
        metadata:
          name: {{name}}
        webhooks:
          - name: {{name}}.test.ops.dev
            admissionReviewVersions: [v1]
            sideEffects: None
            failurePolicy: {{failurePolicy}}
            timeoutSeconds: 3
            clientConfig: {{clientConfig ?? $"{{url: \"https://127.0.0.1:{_webhook.Port}/{name}\", caBundle: {_webhook.CaBundle}}}"}}
            namespaceSelector:
              matchLabels:
                kubernetes.io/metadata.name: {{_ns}}
            rules:
              - {operations: [CREATE, UPDATE], apiGroups: [""], apiVersions: [v1], resources: [configmaps]}
            matchConditions: {{(matchCondition is null ? "[]" : $"[{{name: cond, expression: \"{matchCondition}\"}}]")}}
        """;

    private static string ConfigMap(string ns, string name, string data) => $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {ns}\ndata: {data}\n";

    [Fact]
    public async Task A_validating_webhooks_refusal_is_what_kubectl_apply_prints_and_nothing_is_stored()
    {
        _webhook.Decide = r => r["object"]?["data"]?["forbidden"] is null ? new JsonObject { ["allowed"] = true } : TestWebhook.Deny("data.forbidden: not in this namespace");
        await _kubectl.OkAsync("apply -f -", Configuration("ValidatingWebhookConfiguration", "deny"));
        var other = await TestNamespaces.CreateAsync(_client, "other", _ct);

        var refused = await _kubectl.RunAsync("apply -f -", ConfigMap(_ns, "bad", "{forbidden: \"1\"}"));
        await _kubectl.OkAsync("apply -f -", ConfigMap(_ns, "good", "{fine: \"1\"}"));
        await _kubectl.OkAsync("apply -f -", ConfigMap(other, "bad", "{forbidden: \"1\"}"));

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("admission webhook \"deny.test.ops.dev\" denied the request: data.forbidden: not in this namespace", refused.Stderr);
        Assert.Contains("(Forbidden)", refused.Stderr);
        Assert.Equal(2, (await _client.CoreV1.ListNamespacedConfigMapAsync(_ns, cancellationToken: _ct)).Items.Count(c => c.Metadata.Name is "good" or "kube-root-ca.crt"));
        Assert.DoesNotContain((await _client.CoreV1.ListNamespacedConfigMapAsync(_ns, cancellationToken: _ct)).Items, c => c.Metadata.Name == "bad");
        // The other namespace's ConfigMap was not the webhook's to see; what it saw came from kubectl's user.
        Assert.All(_webhook.Requests, r => Assert.Equal(_ns, (string?)r["namespace"]));
        var seen = _webhook.Requests.First();
        Assert.Equal(("CREATE", "bad", "sandbox-admin"), ((string?)seen["operation"], (string?)seen["name"], (string?)seen["userInfo"]?["username"]));
    }

    [Fact]
    public async Task A_mutating_webhooks_patch_is_stored_and_the_validating_webhooks_see_the_patched_object_on_create_and_update()
    {
        _webhook.Decide = r => (string?)r["kind"]?["kind"] == "ConfigMap" && r["object"]?["metadata"]?["labels"]?["stamped"] is null
            ? TestWebhook.Patch("""[{"op":"add","path":"/metadata/labels","value":{"stamped":"yes"}}]""")
            : new JsonObject { ["allowed"] = true };
        await _kubectl.OkAsync("apply -f -", Configuration("MutatingWebhookConfiguration", "stamp"));
        await _kubectl.OkAsync("apply -f -", Configuration("ValidatingWebhookConfiguration", "check"));

        await _kubectl.OkAsync("apply -f -", ConfigMap(_ns, "stamped", "{a: \"1\"}"));
        await _kubectl.OkAsync("apply -f -", ConfigMap(_ns, "stamped", "{a: \"2\"}"));

        var stored = await _client.CoreV1.ReadNamespacedConfigMapAsync("stamped", _ns, cancellationToken: _ct);
        Assert.Equal("yes", stored.Metadata.Labels["stamped"]);
        Assert.Equal("2", stored.Data["a"]);
        var update = _webhook.Requests.Last(r => (string?)r["operation"] == "UPDATE");
        Assert.Equal("yes", (string?)update["object"]?["metadata"]?["labels"]?["stamped"]);
        Assert.Equal("1", (string?)update["oldObject"]?["data"]?["a"]);
        // The validating webhook was called after the mutating one, on what it had patched.
        Assert.Contains(_webhook.Requests, r => (string?)r["operation"] == "CREATE" && (string?)r["object"]?["metadata"]?["labels"]?["stamped"] == "yes");
    }

    [Theory]
    [InlineData("Fail", true)]
    [InlineData("Ignore", false)]
    public async Task A_webhook_that_cannot_be_reached_fails_the_request_only_under_failurePolicy_Fail(string failurePolicy, bool fails)
    {
        var closed = LoopbackPorts.Free();
        await _kubectl.OkAsync("apply -f -", Configuration("ValidatingWebhookConfiguration", "gone", failurePolicy, $"{{url: \"https://127.0.0.1:{closed}/x\", caBundle: {_webhook.CaBundle}}}"));

        var result = await _kubectl.RunAsync("apply -f -", ConfigMap(_ns, "unchecked", "{a: \"1\"}"));

        Assert.Equal(fails, result.ExitCode != 0);
        if (fails) Assert.Contains("Internal error occurred: failed calling webhook \"gone.test.ops.dev\": ", result.Stderr);
    }

    [Fact]
    public async Task A_webhook_is_not_called_for_a_request_its_match_conditions_exclude_and_one_it_cannot_evaluate_follows_its_failure_policy()
    {
        _webhook.Decide = _ => TestWebhook.Deny("refused");
        await _kubectl.OkAsync("apply -f -", Configuration("ValidatingWebhookConfiguration", "not-admin", matchCondition: "request.userInfo.username != 'sandbox-admin'"));
        await _kubectl.OkAsync("apply -f -", Configuration("ValidatingWebhookConfiguration", "cel", failurePolicy: "Ignore", matchCondition: "has(object.data)"));

        var admin = await _kubectl.RunAsync("apply -f -", ConfigMap(_ns, "by-admin", "{a: \"1\"}"));
        var other = await _kubectl.RunAsync($"apply --as someone-else --as-group system:masters -f -", ConfigMap(_ns, "by-other", "{a: \"1\"}"));

        Assert.Equal(0, admin.ExitCode);
        Assert.Contains("admission webhook \"not-admin.test.ops.dev\" denied the request: refused", other.Stderr);
        Assert.All(_webhook.Requests, r => Assert.Equal("someone-else", (string?)r["userInfo"]?["username"]));
    }

    [Fact]
    public async Task A_server_certificate_the_caBundle_does_not_vouch_for_is_a_failed_call()
    {
        using var stranger = Ops.Operator.Agents.Pki.CertificateAuthority.Create("stranger", DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        var bundle = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(stranger.CertificatePem));
        await _kubectl.OkAsync("apply -f -", Configuration("ValidatingWebhookConfiguration", "untrusted", clientConfig: $"{{url: \"https://127.0.0.1:{_webhook.Port}/x\", caBundle: {bundle}}}"));

        var result = await _kubectl.RunAsync("apply -f -", ConfigMap(_ns, "unverified", "{a: \"1\"}"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("failed calling webhook \"untrusted.test.ops.dev\"", result.Stderr);
        Assert.Empty(_webhook.Requests);
    }

    [Fact]
    public async Task A_service_reference_reaches_a_ready_pod_of_the_service_by_its_service_name()
    {
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "adm" } }, cancellationToken: _ct);
        await _client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "webhook-0", Labels = new Dictionary<string, string> { ["app"] = "webhook" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "w", Image = "none", Ports = [new V1ContainerPort { Name = "https", ContainerPort = _webhook.Port }] }] },
        }, "adm", cancellationToken: _ct);
        var pod = await _client.CoreV1.ReadNamespacedPodAsync("webhook-0", "adm", cancellationToken: _ct);
        pod.Status = new V1PodStatus { Phase = "Running", PodIP = "127.0.0.1", Conditions = [new V1PodCondition { Type = "Ready", Status = "True" }] };
        await _client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, "webhook-0", "adm", cancellationToken: _ct);
        await _client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "webhook" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "webhook" }, Ports = [new V1ServicePort { Port = 443, TargetPort = "https" }] },
        }, "adm", cancellationToken: _ct);
        _webhook.Decide = _ => TestWebhook.Deny("reached through the service");
        await _kubectl.OkAsync("apply -f -", Configuration("ValidatingWebhookConfiguration", "by-service", clientConfig: $"{{service: {{namespace: adm, name: webhook, path: /validate}}, caBundle: {_webhook.CaBundle}}}"));

        var result = await _kubectl.RunAsync("apply -f -", ConfigMap(_ns, "via-service", "{a: \"1\"}"));

        Assert.Contains("admission webhook \"by-service.test.ops.dev\" denied the request: reached through the service", result.Stderr);
    }
}
