namespace Ops.Sandbox.Http;

/// <summary>What a request path names, before the resource type is looked up.</summary>
internal sealed record ApiPath(string Group, string Version, string? Namespace, string Resource, string? Name, string? Subresource)
{
    /// <summary>
    /// Parses /api/v1/... and /apis/{group}/{version}/... resource paths; returns null for anything else.
    /// /api/v1/namespaces/{name}/status is the namespace's status, not a resource called "status".
    /// </summary>
    public static ApiPath? Parse(string[] segments)
    {
        string group, version;
        string[] rest;
        if (segments is ["api", var coreVersion, .. var coreRest] && coreRest.Length > 0)
        {
            (group, version, rest) = ("", coreVersion, coreRest);
        }
        else if (segments is ["apis", var g, var v, .. var groupRest] && groupRest.Length > 0)
        {
            (group, version, rest) = (g, v, groupRest);
        }
        else
        {
            return null;
        }
        if (rest.Any(s => s.Length == 0)) return null;
        return rest switch
        {
            ["namespaces", var ns, var sub] when sub is "status" or "finalize" => new ApiPath(group, version, null, "namespaces", ns, sub),
            ["namespaces", var ns, var resource, .. var tail] when tail.Length <= 2 =>
                new ApiPath(group, version, ns, resource, tail.ElementAtOrDefault(0), tail.ElementAtOrDefault(1)),
            [var resource] => new ApiPath(group, version, null, resource, null, null),
            [var resource, var name] => new ApiPath(group, version, null, resource, name, null),
            [var resource, var name, var sub] => new ApiPath(group, version, null, resource, name, sub),
            _ => null,
        };
    }
}
