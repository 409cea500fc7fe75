using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Security;

/// <summary>
/// Kubernetes RBAC, as the API server's authorizer decides a SubjectAccessReview: a user is allowed a request
/// when a rule of a role bound to them (by user name, by group, or as a service account) covers it. A
/// ClusterRoleBinding grants its ClusterRole everywhere; a RoleBinding grants its Role or ClusterRole in its
/// own namespace only. A rule covers a request when its verbs, apiGroups and resources hold the request's
/// (or "*"; a subresource is named "resource/subresource", "*" does not reach subresources but "*/sub" does)
/// and its resourceNames are empty or hold the name; a request for a path that is no resource (/api, /version)
/// is covered by a rule's nonResourceURLs (exact, or a prefix ending in "*"). An aggregated ClusterRole's rules
/// are those of the ClusterRoles its aggregationRule selects, as the aggregation controller would write them.
/// The group system:masters may do everything. Not modelled: escalation checks on writes of roles.
/// </summary>
internal sealed class RbacAuthorizer(ObjectStore store)
{
    public const string Masters = "system:masters";

    public sealed record Request(string User, IReadOnlyList<string> Groups, string Verb, string ApiGroup, string Resource, string Subresource, string Namespace, string Name)
    {
        /// <summary>Set for a request of a path that names no resource; the resource fields are then empty.</summary>
        public string? NonResourcePath { get; init; }

        /// <summary>What the API server's 403 says of this request.</summary>
        public string ForbiddenMessage()
        {
            if (NonResourcePath is not null) return $"forbidden: User \"{User}\" cannot {Verb} path \"{NonResourcePath}\"";
            var resource = Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";
            var qualified = ApiGroup.Length == 0 ? Resource : $"{Resource}.{ApiGroup}";
            var what = Name.Length == 0 ? qualified : $"{qualified} \"{Name}\"";
            var where = Namespace.Length == 0 ? "at the cluster scope" : $"in the namespace \"{Namespace}\"";
            return $"{what} is forbidden: User \"{User}\" cannot {Verb} resource \"{resource}\" in API group \"{ApiGroup}\" {where}";
        }
    }

    private RbacPolicy? _policy;

    /// <summary>Whether the request is allowed, and the reason a SubjectAccessReview gives.</summary>
    public (bool Allowed, string Reason) Decide(Request request)
    {
        if (request.Groups.Contains(Masters)) return (true, $"{request.User} is in {Masters}");
        var snapshot = store.Snapshot();
        var policy = Volatile.Read(ref _policy);
        if (policy is null || !policy.IsCurrent(snapshot)) Volatile.Write(ref _policy, policy = RbacPolicy.Compile(snapshot));
        foreach (var binding in policy.ClusterBindings)
        {
            if (Binds(binding, request) && binding.Rules.Any(r => Covers(r, request))) return (true, $"allowed by ClusterRoleBinding \"{binding.Name}\"");
        }
        if (request.Namespace.Length > 0)
        {
            foreach (var binding in policy.BindingsIn(request.Namespace))
            {
                if (Binds(binding, request) && binding.Rules.Any(r => Covers(r, request))) return (true, $"allowed by RoleBinding \"{binding.Name}\" of namespace {request.Namespace}");
            }
        }
        return (false, "");
    }

    private static bool Binds(RbacPolicy.Binding binding, Request request) => binding.Subjects.Any(subject => subject.Kind switch
    {
        "User" => subject.Name == request.User,
        "Group" => request.Groups.Contains(subject.Name),
        "ServiceAccount" => request.User == $"system:serviceaccount:{subject.Namespace}:{subject.Name}",
        _ => false,
    });

    private static bool Covers(RbacPolicy.Rule rule, Request request)
    {
        if (request.NonResourcePath is { } path)
        {
            return rule.Verbs.Any(v => v == "*" || v == request.Verb)
                && rule.NonResourceUrls.Any(u => u == "*" || u == path || u.EndsWith('*') && path.StartsWith(u[..^1], StringComparison.Ordinal));
        }
        if (rule.NonResourceUrls.Length > 0) return false;
        var resource = request.Subresource.Length == 0 ? request.Resource : $"{request.Resource}/{request.Subresource}";
        return rule.Verbs.Any(v => v == "*" || v == request.Verb)
            && rule.ApiGroups.Any(g => g == "*" || g == request.ApiGroup)
            && rule.Resources.Any(r => r == resource || (r == "*" && request.Subresource.Length == 0) || r == $"*/{request.Subresource}" && request.Subresource.Length > 0)
            && (rule.ResourceNames.Length == 0 || rule.ResourceNames.Contains(request.Name));
    }
}
