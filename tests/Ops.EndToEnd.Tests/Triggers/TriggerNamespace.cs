using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Triggers;

/// <summary>
/// A team's namespace for trigger tests: checked by the admission webhooks, a DiagnosticPolicy allowing read-only and
/// light .NET actions (or the groups given), a user allowed triggers and commands there only, and one sample-app pod (<see cref="SampleAppPod"/>),
/// reached at its pod IP for its /chaos faults.
/// </summary>
internal sealed class TriggerNamespace(ClusterFixture cluster, string ns, string user)
{
    private readonly Kubectl _kubectl = new(cluster.KubeconfigPath);

    public string Name => ns;
    public string User => user;

    public static async Task<TriggerNamespace> CreateAsync(ClusterFixture cluster, string prefix, CancellationToken cancellationToken, string[]? actionGroups = null)
    {
        var ns = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { [ClusterFixture.AdmissionLabel] = ClusterFixture.AdmissionChecked } } }, cancellationToken: cancellationToken);
        await TestPolicies.ForNamespaceAsync(cluster.Client, $"{ns}-team", ns, s => s.ActionGroups = [.. actionGroups ?? ["read-only", "dotnet-light"]], cancellationToken);
        var user = $"dev-{ns}";
        await cluster.Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "team" },
            Rules = [new V1PolicyRule { ApiGroups = [ApiGroup.Name], Resources = [V1Alpha1DiagnosticCommand.Plural, V1Alpha1DiagnosticTrigger.Plural], Verbs = ["get", "list", "create", "patch", "update"] }],
        }, ns, cancellationToken: cancellationToken);
        await cluster.Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "team" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "team" },
            Subjects = [new Rbacv1Subject { Kind = "User", Name = user, ApiGroup = "rbac.authorization.k8s.io" }],
        }, ns, cancellationToken: cancellationToken);
        await SampleAppPod.CreateAsync(cluster, ns, "shop", cancellationToken);
        return new TriggerNamespace(cluster, ns, user);
    }

    /// <summary>The pod as the API shows it once it is Ready (its runtime up and serving).</summary>
    public Task<V1Pod> PodReadyAsync(CancellationToken cancellationToken) => SampleAppPod.ReadyAsync(cluster.Client, ns, "app", cancellationToken);

    /// <summary>A fault of the sample app, asked of the pod at its IP.</summary>
    public async Task ChaosAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var pod = await PodReadyAsync(cancellationToken);
        using var http = new HttpClient();
        using var response = await http.PostAsync($"http://{pod.Status.PodIP}:8080{pathAndQuery}", null, cancellationToken);
        Xunit.Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>kubectl apply of a DiagnosticTrigger as the team's user.</summary>
    public Task<KubectlResult> ApplyAsync(string name, string spec) => _kubectl.RunAsync($"apply -n {ns} --as {user} --as-group shop-devs -f -", $"""
        apiVersion: ops.dev/v1alpha1
        kind: DiagnosticTrigger
        metadata:
          name: {name}
        spec:
        {Indent(spec)}
        """);

    private static string Indent(string spec) => string.Join("\n", spec.Trim().Split('\n').Select(line => "  " + line));

    public async Task<V1Alpha1DiagnosticTrigger> GetAsync(string name, CancellationToken cancellationToken) =>
        await cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync<V1Alpha1DiagnosticTrigger>(ApiGroup.Name, ApiGroup.Version, ns, V1Alpha1DiagnosticTrigger.Plural, name, cancellationToken);

    /// <summary>The trigger once its status satisfies the condition; on a timeout, the status it had last, to say why.</summary>
    public async Task<V1Alpha1DiagnosticTrigger> StatusAsync(string name, Func<V1Alpha1DiagnosticTrigger.TriggerStatus, bool> condition, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await Eventually.Get(async () => await GetAsync(name, cancellationToken) is { Status: { } s } t && condition(s) ? t : null, what, Timeouts.SlowCommand);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; the trigger's status: {k8s.KubernetesJson.Serialize((await GetAsync(name, cancellationToken)).Status)}", e);
        }
    }

    public async Task<IList<V1Alpha1DiagnosticCommand>> CommandsOfAsync(string trigger, CancellationToken cancellationToken) =>
        (await cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync<CustomResourceList<V1Alpha1DiagnosticCommand>>(ApiGroup.Name, ApiGroup.Version, ns,
            V1Alpha1DiagnosticCommand.Plural, labelSelector: $"ops.dev/trigger={trigger}", cancellationToken: cancellationToken)).Items;

    public async Task<IList<Corev1Event>> EventsAsync(string involved, string reason, CancellationToken cancellationToken) =>
        (await cluster.Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: $"involvedObject.name={involved},reason={reason}", cancellationToken: cancellationToken)).Items;
}
