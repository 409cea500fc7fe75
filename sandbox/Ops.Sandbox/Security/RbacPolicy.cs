using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Security;

/// <summary>
/// The RBAC objects of one store version, parsed once: every binding with its subjects and the rules of its role
/// (an aggregated ClusterRole's resolved). The authorizer keeps one until a role or binding changes, instead of
/// parsing every binding and role on every request (which cost the API server more than the request at 4,000 a second).
/// </summary>
internal sealed class RbacPolicy
{
    private const string Group = "rbac.authorization.k8s.io";

    public sealed record Subject(string Kind, string Name, string Namespace);

    public sealed record Rule(string[] Verbs, string[] ApiGroups, string[] Resources, string[] ResourceNames, string[] NonResourceUrls);

    /// <summary>A binding: its name, whom it binds, and what its role allows (a RoleBinding's only in its namespace).</summary>
    public sealed record Binding(string Name, Subject[] Subjects, Rule[] Rules);

    private RbacPolicy(IReadOnlyList<Binding> cluster, IReadOnlyDictionary<string, List<Binding>> byNamespace, object?[] versions)
    {
        ClusterBindings = cluster;
        _byNamespace = byNamespace;
        _versions = versions;
    }

    private readonly IReadOnlyDictionary<string, List<Binding>> _byNamespace;
    private readonly object?[] _versions;

    public IReadOnlyList<Binding> ClusterBindings { get; }

    public IReadOnlyList<Binding> BindingsIn(string ns) => _byNamespace.TryGetValue(ns, out var bindings) ? bindings : [];

    /// <summary>Whether this policy was compiled from the same RBAC objects as the snapshot holds (each kind's map is replaced on any write).</summary>
    public bool IsCurrent(StoreSnapshot snapshot) => Versions(snapshot).SequenceEqual(_versions, ReferenceEqualityComparer.Instance);

    public static RbacPolicy Compile(StoreSnapshot snapshot)
    {
        var cluster = snapshot.Of($"clusterrolebindings.{Group}").Values.Select(b => Compile(snapshot, b.Parse(), "")).ToList();
        var byNamespace = snapshot.Of($"rolebindings.{Group}").Values.GroupBy(b => b.Namespace ?? "")
            .ToDictionary(g => g.Key, g => g.Select(b => Compile(snapshot, b.Parse(), g.Key)).ToList(), StringComparer.Ordinal);
        return new RbacPolicy(cluster, byNamespace, Versions(snapshot));
    }

    private static object?[] Versions(StoreSnapshot snapshot) =>
        [.. Kinds.Select(kind => snapshot.Objects.GetValueOrDefault(kind))];

    private static readonly string[] Kinds = [$"clusterrolebindings.{Group}", $"rolebindings.{Group}", $"clusterroles.{Group}", $"roles.{Group}"];

    private static Binding Compile(StoreSnapshot snapshot, JsonObject binding, string ns) => new(
        (string?)binding["metadata"]?["name"] ?? "",
        [.. (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>().Select(s => new Subject((string?)s["kind"] ?? "", (string?)s["name"] ?? "", (string?)s["namespace"] ?? ""))],
        [.. Rules(snapshot, binding, ns).Select(r => new Rule(Strings(r["verbs"]), Strings(r["apiGroups"]), Strings(r["resources"]), Strings(r["resourceNames"]), Strings(r["nonResourceURLs"])))]);

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
                .Where(r => r["aggregationRule"] is null && selectors.OfType<JsonObject>().Any(s => Selection.JsonLabelSelector.Selects(s, r["metadata"]?["labels"] as JsonObject)));
            return [.. members.SelectMany(r => (r["rules"] as JsonArray ?? []).OfType<JsonObject>())];
        }
        return (parsed["rules"] as JsonArray ?? []).OfType<JsonObject>();
    }

    private static string[] Strings(JsonNode? node) => [.. (node as JsonArray ?? []).Select(n => (string?)n ?? "")];
}
