using System.Collections.Concurrent;

namespace Ops.Sandbox.Security;

/// <summary>One kind of API call, as RBAC sees it: who (by User-Agent), the verb, the resource, and the namespace (null: cluster-wide).</summary>
public sealed record ApiAccess(string UserAgent, string Verb, string Group, string Resource, string? Namespace);

/// <summary>
/// The API calls made to the sandbox, each kind with how often, so tests can check a component's RBAC
/// rules against what it really does and benchmarks can count its writes. Calls are recorded as asked,
/// whether or not they succeed: a call that fails with 404 still needed the permission.
/// </summary>
public sealed class AccessLog
{
    /// <summary>The verbs that change something.</summary>
    public static readonly IReadOnlySet<string> WriteVerbs = new HashSet<string>(["create", "update", "patch", "delete", "deletecollection"], StringComparer.Ordinal);

    private readonly ConcurrentDictionary<ApiAccess, long> _seen = new();
    private readonly ConcurrentDictionary<(string UserAgent, int Code), long> _refused = new();

    public void Record(string userAgent, string verb, string group, string resource, string? ns) => _seen.AddOrUpdate(new ApiAccess(userAgent, verb, group, resource, ns), 1, (_, n) => n + 1);

    /// <summary>An error answer (the status code) to a call of this client.</summary>
    public void Refused(string userAgent, int code) => _refused.AddOrUpdate((userAgent, code), 1, (_, n) => n + 1);

    /// <summary>How many calls of those clients were answered with the error <paramref name="code"/> (409 for conflicts, for example).</summary>
    public long RefusalsOf(string userAgentPrefix, int code) =>
        _refused.Where(r => r.Key.Code == code && r.Key.UserAgent.StartsWith(userAgentPrefix, StringComparison.Ordinal)).Sum(r => r.Value);

    /// <summary>The kinds of call of clients whose User-Agent starts with <paramref name="userAgentPrefix"/>.</summary>
    public IReadOnlyList<ApiAccess> Of(string userAgentPrefix) => [.. _seen.Keys.Where(a => a.UserAgent.StartsWith(userAgentPrefix, StringComparison.Ordinal))];

    /// <summary>How many calls of those clients (of those kinds) were made so far.</summary>
    public long CountOf(string userAgentPrefix, Func<ApiAccess, bool>? which = null) =>
        _seen.Where(a => a.Key.UserAgent.StartsWith(userAgentPrefix, StringComparison.Ordinal) && (which is null || which(a.Key))).Sum(a => a.Value);
}
