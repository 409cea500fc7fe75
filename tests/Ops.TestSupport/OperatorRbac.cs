using Ops.Sandbox.Charts;
using Ops.Sandbox.Security;

namespace Ops.TestSupport;

/// <summary>
/// The operator's RBAC as the chart grants it (its ClusterRole anywhere, its Role in the release
/// namespace), compared with the API calls the sandbox recorded from the operator.
/// </summary>
public static class OperatorRbac
{
    public const string ReleaseNamespace = "ops-system";

    /// <summary>Permissions only an AgentVersion rollout needs; the rollout tests' own cluster exercises them.</summary>
    public static readonly IReadOnlyList<(string Group, string Resource, string Verb)> RolloutOnly =
    [
        ("apps", "daemonsets", "get"), ("apps", "daemonsets", "update"), ("", "pods", "delete"),
        ("ops.dev", "agentversions", "get"), ("ops.dev", "agentversions/status", "update"),
    ];

    /// <summary>
    /// Permissions of code paths the tests do not reach, each with where in the code it is used: the agents'
    /// certificate re-issued when it nears expiry (PkiBootstrapper). (ConfigMaps are updated by the artifact
    /// ledger each time a namespace's heavy commands finish: ArtifactLedger.)
    /// </summary>
    public static readonly IReadOnlyList<(string Group, string Resource, string Verb)> UntestedPaths =
    [
        ("", "secrets", "update"),
    ];

    /// <summary>Each rule of the operator's roles as (group, resource, verb, namespace the grant holds in; null: everywhere).</summary>
    public static List<(string Group, string Resource, string Verb, string? Namespace)> Grants()
    {
        var grants = new List<(string, string, string, string?)>();
        foreach (var yaml in new ChartRenderer(RepositoryPaths.Chart, releaseNamespace: ReleaseNamespace).RenderAll().Values.SelectMany(t => t.Split("\n---")))
        {
            if (ChartRenderer.LoadYaml(yaml) is not Dictionary<object, object> doc || (string)doc["kind"] is not ("ClusterRole" or "Role")) continue;
            // The operator's own roles (RELEASE-operator), not those the chart grants people (RELEASE-artifact-download).
            if (((Dictionary<object, object>)doc["metadata"])["name"] is not string name || !name.EndsWith("-operator", StringComparison.Ordinal)) continue;
            var ns = (string)doc["kind"] == "Role" ? ReleaseNamespace : null;
            foreach (Dictionary<object, object> rule in (List<object>)doc["rules"])
            {
                foreach (var group in ((List<object>)rule["apiGroups"]).Cast<string>())
                foreach (var resource in ((List<object>)rule["resources"]).Cast<string>())
                foreach (var verb in ((List<object>)rule["verbs"]).Cast<string>())
                {
                    grants.Add((group, resource, verb, ns));
                }
            }
        }
        return grants;
    }

    public static bool Allows(IEnumerable<(string Group, string Resource, string Verb, string? Namespace)> grants, ApiAccess call) =>
        grants.Any(g => g.Group == call.Group && g.Resource == call.Resource && g.Verb == call.Verb && (g.Namespace is null || g.Namespace == call.Namespace));

    /// <summary>The operator's calls the chart does not allow, as readable lines.</summary>
    public static List<string> Denied(IEnumerable<ApiAccess> calls)
    {
        var grants = Grants();
        return [.. calls.Where(c => !Allows(grants, c)).Select(c => $"{c.Verb} {c.Group}/{c.Resource} in {c.Namespace ?? "(cluster)"}").Distinct().Order(StringComparer.Ordinal)];
    }
}
