using Microsoft.AspNetCore.Http;
using Ops.Sandbox.Http;

namespace Ops.Sandbox.Security;

/// <summary>
/// What RBAC decides a request by, read from its method and path as the API server's request-info resolver does:
/// the verb (get, list, watch, create, update, patch, delete, deletecollection), API group, resource, subresource,
/// namespace and name of a resource path; anything else is a non-resource path with the method as its verb.
/// </summary>
internal static class RequestAttributes
{
    public static RbacAuthorizer.Request Of(HttpRequest request, string user, IReadOnlyList<string> groups)
    {
        var path = request.Path.Value ?? "/";
        if (ApiPath.Parse(path.Trim('/').Split('/')) is not { } api)
        {
            return new RbacAuthorizer.Request(user, groups, request.Method.ToLowerInvariant(), "", "", "", "", "") { NonResourcePath = path };
        }
        // A namespace is its own namespace: /api/v1/namespaces/shop is authorized in namespace shop.
        var ns = api.Namespace ?? (api.Resource == "namespaces" && api.Group.Length == 0 ? api.Name : null) ?? "";
        // A streaming subresource opened with GET (a WebSocket) is authorized as create, as the API server does.
        var verb = api.Subresource is "exec" or "attach" or "portforward" ? "create" : Verb(request.Method, api.Name is null, QueryOptions.Flag(request.Query, "watch"));
        return new RbacAuthorizer.Request(user, groups, verb,
            api.Group, api.Resource, api.Subresource ?? "", ns, api.Name ?? "");
    }

    /// <summary>The API verb of an HTTP method on a collection or on one object.</summary>
    public static string Verb(string method, bool collection, bool watch) => (method, collection) switch
    {
        ("GET", true) => watch ? "watch" : "list",
        ("GET", false) => watch ? "watch" : "get",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", false) => "delete",
        ("DELETE", true) => "deletecollection",
        _ => method.ToLowerInvariant(),
    };
}
