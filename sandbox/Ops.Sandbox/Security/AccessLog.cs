using System.Collections.Concurrent;

namespace Ops.Sandbox.Security;

/// <summary>One kind of API call, as RBAC sees it: who (by User-Agent), the verb, the resource, and the namespace (null: cluster-wide).</summary>
public sealed record ApiAccess(string UserAgent, string Verb, string Group, string Resource, string? Namespace);

/// <summary>
/// The distinct API calls made to the sandbox, so tests can check a component's RBAC rules against
/// what it really does. Calls are recorded as asked, whether or not they succeed: a call that fails
/// with 404 still needed the permission.
/// </summary>
public sealed class AccessLog
{
    private readonly ConcurrentDictionary<ApiAccess, byte> _seen = new();

    public void Record(string userAgent, string verb, string group, string resource, string? ns) => _seen.TryAdd(new ApiAccess(userAgent, verb, group, resource, ns), 0);

    /// <summary>The calls of clients whose User-Agent starts with <paramref name="userAgentPrefix"/>.</summary>
    public IReadOnlyList<ApiAccess> Of(string userAgentPrefix) => [.. _seen.Keys.Where(a => a.UserAgent.StartsWith(userAgentPrefix, StringComparison.Ordinal))];
}
