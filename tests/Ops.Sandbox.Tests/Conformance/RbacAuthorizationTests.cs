using k8s;
using k8s.Models;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

/// <summary>
/// SubjectAccessReviews decided by RBAC over the Roles and bindings applied to the sandbox, as an API
/// server's authorizer decides them: who is bound, where, to which rules, and what a rule covers (verbs,
/// groups, resources and subresources, names).
/// </summary>
public sealed class RbacAuthorizationTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private static V1PolicyRule Rule(string[] verbs, string[] resources, string[]? groups = null, string[]? names = null) =>
        new() { Verbs = verbs, Resources = resources, ApiGroups = groups ?? ["ops.dev"], ResourceNames = names };

    private async Task<bool> AllowedAsync(string user, string verb, string ns, string resource = "diagnosticcommands", string subresource = "", string name = "x",
        string group = "ops.dev", IList<string>? groups = null)
    {
        var review = await sandbox.Client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec
            {
                User = user, Groups = groups ?? ["system:authenticated"],
                ResourceAttributes = new V1ResourceAttributes { Group = group, Resource = resource, Subresource = subresource, Verb = verb, NamespaceProperty = ns, Name = name },
            },
        }, cancellationToken: _ct);
        return review.Status.Allowed;
    }

    [Fact]
    public async Task A_RoleBinding_grants_its_Roles_rules_in_its_namespace_only_and_a_subresource_is_its_own_resource()
    {
        var ns = await sandbox.CreateNamespaceAsync("rbac");
        var other = await sandbox.CreateNamespaceAsync("rbac-other");
        await sandbox.Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "artifact-reader" },
            Rules = [Rule(["get"], ["diagnosticcommands/artifacts"]), Rule(["get", "list"], ["diagnosticcommands"])],
        }, ns, cancellationToken: _ct);
        await sandbox.Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "alice-reads" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "artifact-reader" },
            Subjects = [new Rbacv1Subject { Kind = "User", Name = "alice", ApiGroup = "rbac.authorization.k8s.io" }],
        }, ns, cancellationToken: _ct);

        Assert.True(await AllowedAsync("alice", "get", ns, subresource: "artifacts"));
        Assert.True(await AllowedAsync("alice", "list", ns));
        Assert.False(await AllowedAsync("alice", "list", ns, subresource: "artifacts"), "another verb");
        Assert.False(await AllowedAsync("alice", "delete", ns), "another verb");
        Assert.False(await AllowedAsync("alice", "get", ns, subresource: "status"), "another subresource");
        Assert.False(await AllowedAsync("alice", "get", other, subresource: "artifacts"), "another namespace");
        Assert.False(await AllowedAsync("alice", "get", ns, resource: "scheduledtasks"), "another resource");
        Assert.False(await AllowedAsync("alice", "get", ns, subresource: "artifacts", group: "example.com"), "another group");
        Assert.False(await AllowedAsync("bob", "get", ns, subresource: "artifacts"), "another user");
    }

    [Fact]
    public async Task Cluster_roles_reach_groups_and_service_accounts_everywhere_or_in_one_namespace_and_wildcards_and_names_are_honoured()
    {
        var ns = await sandbox.CreateNamespaceAsync("rbac");
        var role = $"ops-viewer-{ns}";
        await sandbox.Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = role },
            Rules = [Rule(["get"], ["*"]), Rule(["*"], ["leases"], groups: ["coordination.k8s.io"], names: ["ops-operator"]), Rule(["get"], ["*/artifacts"])],
        }, cancellationToken: _ct);
        await sandbox.Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = $"{role}-sre" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = role },
            Subjects = [new Rbacv1Subject { Kind = "Group", Name = $"sre-{ns}", ApiGroup = "rbac.authorization.k8s.io" }],
        }, cancellationToken: _ct);
        await sandbox.Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "operator" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = role },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "ops-operator", NamespaceProperty = ns }],
        }, ns, cancellationToken: _ct);
        var sre = new List<string> { $"sre-{ns}", "system:authenticated" };
        var serviceAccount = $"system:serviceaccount:{ns}:ops-operator";

        Assert.True(await AllowedAsync("carol", "get", "anywhere", groups: sre), "a ClusterRoleBinding reaches every namespace");
        Assert.False(await AllowedAsync("carol", "list", "anywhere", groups: sre));
        Assert.True(await AllowedAsync("carol", "get", "anywhere", subresource: "artifacts", groups: sre), "*/artifacts reaches the subresource");
        Assert.False(await AllowedAsync("carol", "get", "anywhere", subresource: "status", groups: sre), "* does not reach subresources");
        Assert.True(await AllowedAsync(serviceAccount, "update", ns, resource: "leases", group: "coordination.k8s.io", name: "ops-operator"));
        Assert.False(await AllowedAsync(serviceAccount, "update", ns, resource: "leases", group: "coordination.k8s.io", name: "someone-else"), "resourceNames");
        Assert.False(await AllowedAsync(serviceAccount, "update", "elsewhere", resource: "leases", group: "coordination.k8s.io", name: "ops-operator"), "a RoleBinding is one namespace");
        Assert.True(await AllowedAsync("root", "delete", "anywhere", groups: ["system:masters"]));
    }
}
