using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Security;

/// <summary>RBAC decides every request of a service account, impersonation included, as on a real cluster; kubectl auth can-i tells the truth.</summary>
public sealed class RbacEnforcementTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_role_grants_its_verbs_resources_and_names_in_its_namespace_only_and_refusals_read_as_the_API_servers()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var other = await sandbox.CreateNamespaceAsync();
        using var reader = await AccountAsync(ns, "reader", new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], Verbs = ["get", "list"] },
            new V1PolicyRule { ApiGroups = [""], Resources = ["secrets"], Verbs = ["get"], ResourceNames = ["allowed"] },
            new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get"] });

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/v1/namespaces/{ns}/configmaps", _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/v1/namespaces/{ns}/configmaps/kube-root-ca.crt", _ct)).StatusCode);
        var user = $"system:serviceaccount:{ns}:reader";
        await ForbiddenAsync(reader.GetAsync($"/api/v1/namespaces/{other}/configmaps", _ct),
            $"configmaps is forbidden: User \"{user}\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"{other}\"");
        await ForbiddenAsync(reader.PostAsync($"/api/v1/namespaces/{ns}/configmaps", Json(new { metadata = new { name = "x" } }), _ct),
            $"configmaps is forbidden: User \"{user}\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"{ns}\"");
        await ForbiddenAsync(reader.GetAsync($"/api/v1/namespaces/{ns}/secrets/other", _ct),
            $"secrets \"other\" is forbidden: User \"{user}\" cannot get resource \"secrets\" in API group \"\" in the namespace \"{ns}\"");
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/api/v1/namespaces/{ns}/secrets/allowed", _ct)).StatusCode);
        // A subresource is its own resource: "pods" does not grant "pods/log".
        await ForbiddenAsync(reader.GetAsync($"/api/v1/namespaces/{ns}/pods/p/log", _ct),
            $"pods \"p\" is forbidden: User \"{user}\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"{ns}\"");
        await ForbiddenAsync(reader.GetAsync("/apis/apps/v1/deployments", _ct),
            $"deployments.apps is forbidden: User \"{user}\" cannot list resource \"deployments\" in API group \"apps\" at the cluster scope");
        await ForbiddenAsync(reader.GetAsync("/metrics", _ct), $"forbidden: User \"{user}\" cannot get path \"/metrics\"");
    }

    [Fact]
    public async Task An_aggregated_cluster_role_grants_what_the_roles_it_selects_grant()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var label = $"test.ops.dev/aggregate-{ns}";
        await sandbox.Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = $"{ns}-aggregate" },
            AggregationRule = new V1AggregationRule { ClusterRoleSelectors = [new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [label] = "true" } }] },
        }, cancellationToken: _ct);
        using var account = await AccountAsync(ns, "aggregated", clusterRole: $"{ns}-aggregate");
        Assert.Equal(HttpStatusCode.Forbidden, (await account.GetAsync($"/api/v1/namespaces/{ns}/configmaps", _ct)).StatusCode);

        await sandbox.Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = $"{ns}-member", Labels = new Dictionary<string, string> { [label] = "true" } },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], Verbs = ["list"] }],
        }, cancellationToken: _ct);
        Assert.Equal(HttpStatusCode.OK, (await account.GetAsync($"/api/v1/namespaces/{ns}/configmaps", _ct)).StatusCode);
    }

    [Fact]
    public async Task The_admin_may_impersonate_a_user_without_that_right_may_not()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        using var reader = await AccountAsync(ns, "reader", new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], Verbs = ["list"] });
        using var admin = SandboxHttp.Create(sandbox.Server);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(admin, $"/api/v1/namespaces/{ns}/configmaps", $"system:serviceaccount:{ns}:reader")).StatusCode);
        await ForbiddenAsync(SendAsync(admin, $"/api/v1/namespaces/{ns}/secrets", $"system:serviceaccount:{ns}:reader"),
            $"secrets is forbidden: User \"system:serviceaccount:{ns}:reader\" cannot list resource \"secrets\" in API group \"\" in the namespace \"{ns}\"");
        await ForbiddenAsync(SendAsync(reader, $"/api/v1/namespaces/{ns}/configmaps", "sandbox-admin"),
            $"users \"sandbox-admin\" is forbidden: User \"system:serviceaccount:{ns}:reader\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope");
    }

    [Fact]
    public async Task Kubectl_auth_can_i_answers_for_a_service_account_from_its_bindings()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        using var _ = await AccountAsync(ns, "reader", new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], Verbs = ["list"] });
        var kubectl = new TestSupport.Kubectl(sandbox.KubeconfigPath);

        var yes = await kubectl.RunAsync($"auth can-i list configmaps -n {ns} --as=system:serviceaccount:{ns}:reader");
        var no = await kubectl.RunAsync($"auth can-i delete configmaps -n {ns} --as=system:serviceaccount:{ns}:reader");
        var admin = await kubectl.RunAsync("auth can-i delete nodes");

        Assert.True((0, "yes") == (yes.ExitCode, yes.Stdout.Trim()), yes.Stderr);
        Assert.Equal((1, "no"), (no.ExitCode, no.Stdout.Trim()));
        Assert.Equal((0, "yes"), (admin.ExitCode, admin.Stdout.Trim()));
    }

    /// <summary>A service account of <paramref name="ns"/> bound to a Role with these rules (or to a ClusterRole); an HTTP client with its token.</summary>
    private async Task<HttpClient> AccountAsync(string ns, string name, params V1PolicyRule[] rules) => await AccountAsync(ns, name, null, rules);

    private async Task<HttpClient> AccountAsync(string ns, string name, string? clusterRole, params V1PolicyRule[] rules)
    {
        await sandbox.Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, ns, cancellationToken: _ct);
        if (clusterRole is null) await sandbox.Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role { Metadata = new V1ObjectMeta { Name = name }, Rules = rules }, ns, cancellationToken: _ct);
        await sandbox.Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = name },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = clusterRole is null ? "Role" : "ClusterRole", Name = clusterRole ?? name },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = name, NamespaceProperty = ns }],
        }, ns, cancellationToken: _ct);
        var token = await sandbox.Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, name, ns, cancellationToken: _ct);
        return SandboxHttp.Create(sandbox.Server, token.Status.Token);
    }

    private Task<HttpResponseMessage> SendAsync(HttpClient http, string path, string asUser)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Impersonate-User", asUser);
        return http.SendAsync(request, _ct);
    }

    private async Task ForbiddenAsync(Task<HttpResponseMessage> call, string message)
    {
        using var response = await call;
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(_ct)).RootElement;
        Assert.Equal(("Forbidden", message), (status.GetProperty("reason").GetString(), status.GetProperty("message").GetString()));
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
