using System.Text.Json.Nodes;
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
    private const string Group = "rbac.authorization.k8s.io";

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

    /// <summary>Whether the request is allowed, and the reason a SubjectAccessReview gives.</summary>
    public (bool Allowed, string Reason) Decide(Request request)
    {
        if (request.Groups.Contains(Masters)) return (true, $"{request.User} is in {Masters}");
        var snapshot = store.Snapshot();
        foreach (var binding in snapshot.Of($"clusterrolebindings.{Group}").Values.Select(b => b.Parse()))
        {
            if (Binds(binding, request) && Rules(snapshot, binding, "").Any(r => Covers(r, request)))
            {
                return (true, $"allowed by ClusterRoleBinding \"{binding["metadata"]?["name"]}\"");
            }
        }
        if (request.Namespace.Length > 0)
        {
            foreach (var stored in snapshot.Of($"rolebindings.{Group}").Values.Where(b => b.Namespace == request.Namespace))
            {
                var binding = stored.Parse();
                if (Binds(binding, request) && Rules(snapshot, binding, request.Namespace).Any(r => Covers(r, request)))
                {
                    return (true, $"allowed by RoleBinding \"{binding["metadata"]?["name"]}\" of namespace {request.Namespace}");
                }
            }
        }
        return (false, "");
    }

    private static bool Binds(JsonObject binding, Request request) => (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>().Any(subject => (string?)subject["kind"] switch
    {
        "User" => (string?)subject["name"] == request.User,
        "Group" => request.Groups.Contains((string?)subject["name"] ?? ""),
        "ServiceAccount" => request.User == $"system:serviceaccount:{subject["namespace"]}:{subject["name"]}",
        _ => false,
    });

    /// <summary>The rules of the binding's role: a ClusterRole, or (for a RoleBinding) a Role of its namespace.</summary>
    private static IEnumerable<JsonObject> Rules(StoreSnapshot snapshot, JsonObject binding, string ns)
    {
        var kind = (string?)binding["roleRef"]?["kind"];
        var name = (string?)binding["roleRef"]?["name"] ?? "";
        var role = kind switch
        {
            "ClusterRole" => snapshot.Of($"clusterroles.{Group}").GetValueOrDefault(name),
            "Role" when ns.Length > 0 => snapshot.Of($"roles.{Group}").GetValueOrDefault(StoredObject.KeyOf(ns, name)),
            _ => null,
        };
        if (role is null) return [];
        var parsed = role.Parse();
        if (kind == "ClusterRole" && parsed["aggregationRule"]?["clusterRoleSelectors"] is JsonArray selectors)
        {
            var members = snapshot.Of($"clusterroles.{Group}").Values.Select(r => r.Parse())
                .Where(r => r["aggregationRule"] is null && selectors.OfType<JsonObject>().Any(s => Selects(s, r["metadata"]?["labels"] as JsonObject)));
            return [.. members.SelectMany(r => (r["rules"] as JsonArray ?? []).OfType<JsonObject>())];
        }
        return (parsed["rules"] as JsonArray ?? []).OfType<JsonObject>();
    }

    private static bool Selects(JsonObject selector, JsonObject? labels) =>
        (selector["matchLabels"] as JsonObject ?? []).All(l => (string?)labels?[l.Key] == (string?)l.Value)
        && (selector["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>().All(e => (string?)e["operator"] switch
        {
            "In" => Strings(e["values"]).Contains((string?)labels?[(string?)e["key"] ?? ""] ?? "\0"),
            "NotIn" => !Strings(e["values"]).Contains((string?)labels?[(string?)e["key"] ?? ""] ?? "\0"),
            "Exists" => labels?.ContainsKey((string?)e["key"] ?? "") == true,
            "DoesNotExist" => labels?.ContainsKey((string?)e["key"] ?? "") != true,
            _ => false,
        });

    private static bool Covers(JsonObject rule, Request request)
    {
        if (request.NonResourcePath is { } path)
        {
            return Strings(rule["verbs"]).Any(v => v == "*" || v == request.Verb)
                && Strings(rule["nonResourceURLs"]).Any(u => u == "*" || u == path || u.EndsWith('*') && path.StartsWith(u[..^1], StringComparison.Ordinal));
        }
        if (rule["nonResourceURLs"] is JsonArray { Count: > 0 }) return false;
        var resource = request.Subresource.Length == 0 ? request.Resource : $"{request.Resource}/{request.Subresource}";
        var names = Strings(rule["resourceNames"]);
        return Strings(rule["verbs"]).Any(v => v == "*" || v == request.Verb)
            && Strings(rule["apiGroups"]).Any(g => g == "*" || g == request.ApiGroup)
            && Strings(rule["resources"]).Any(r => r == resource || (r == "*" && request.Subresource.Length == 0) || r == $"*/{request.Subresource}" && request.Subresource.Length > 0)
            && (names.Count == 0 || names.Contains(request.Name));
    }

    private static List<string> Strings(JsonNode? node) => [.. (node as JsonArray ?? []).Select(n => (string?)n ?? "")];
}
