using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Ops.Sandbox.Api;
using Ops.Sandbox.Http;

namespace Ops.Sandbox.Security;

/// <summary>
/// Authentication, impersonation and RBAC in front of every request, as the API server's filters chain them.
/// A request carries <c>Authorization: Bearer &lt;token&gt;</c> of a user <see cref="SandboxIdentity"/> knows (401
/// otherwise; health and version are public, as system:public-info-viewer makes them). Impersonate-User and
/// Impersonate-Group (kubectl --as, --as-group) act as another user when RBAC lets the caller impersonate them.
/// Then the request is authorized by <see cref="RbacAuthorizer"/>: 403 with the API server's message otherwise.
/// </summary>
internal sealed class BearerTokenMiddleware(RequestDelegate next, SandboxIdentity identity, RbacAuthorizer authorizer)
{
    private const string UserItem = "ops-sandbox-user";

    /// <summary>Who a request acts as (after impersonation), for the reviews that answer for the caller.</summary>
    public static (string User, string[] Groups) UserOf(HttpContext context) => context.Items[UserItem] is ValueTuple<string, string[]> user ? user : ("system:anonymous", ["system:unauthenticated"]);

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : "";
        if (path is "/healthz" or "/livez" or "/readyz" or "/version")
        {
            await next(context);
            return;
        }
        if (identity.Authenticate(token) is not { } caller)
        {
            await ResponseWriter.WriteAsync(context, 401, new ApiException(401, "Unauthorized", "Unauthorized").ToStatus());
            return;
        }
        var user = caller;
        var asUser = context.Request.Headers["Impersonate-User"].ToString();
        var asGroups = context.Request.Headers["Impersonate-Group"].Where(g => !string.IsNullOrEmpty(g)).Select(g => g!).ToList();
        if (asUser.Length > 0 || asGroups.Count > 0)
        {
            if (Impersonation(caller, asUser, asGroups) is { } refused)
            {
                await Forbid(context, refused);
                return;
            }
            var serviceAccount = asUser.Split(':') is ["system", "serviceaccount", var ns, _] ? ServiceAccountTokens.GroupsOf(ns) : ["system:authenticated"];
            user = (asUser.Length > 0 ? asUser : caller.User, [.. asGroups.Concat(serviceAccount).Distinct(StringComparer.Ordinal)]);
        }
        context.Items[UserItem] = user;
        var request = RequestAttributes.Of(context.Request, user.User, user.Groups);
        if (!authorizer.Decide(request).Allowed)
        {
            await Forbid(context, request);
            return;
        }
        await next(context);
    }

    /// <summary>The impersonation the caller may not do, or null when RBAC lets them (the verb impersonate on users, groups or serviceaccounts).</summary>
    private RbacAuthorizer.Request? Impersonation((string User, string[] Groups) caller, string asUser, List<string> asGroups)
    {
        var wanted = new List<RbacAuthorizer.Request>();
        if (asUser.Split(':') is ["system", "serviceaccount", var ns, var name]) wanted.Add(new(caller.User, caller.Groups, "impersonate", "", "serviceaccounts", "", ns, name));
        else if (asUser.Length > 0) wanted.Add(new(caller.User, caller.Groups, "impersonate", "", "users", "", "", asUser));
        wanted.AddRange(asGroups.Select(g => new RbacAuthorizer.Request(caller.User, caller.Groups, "impersonate", "", "groups", "", "", g)));
        return wanted.FirstOrDefault(w => !authorizer.Decide(w).Allowed);
    }

    private static Task Forbid(HttpContext context, RbacAuthorizer.Request request)
    {
        var details = request.NonResourcePath is null
            ? new JsonObject { ["name"] = request.Name.Length == 0 ? null : request.Name, ["group"] = request.ApiGroup, ["kind"] = request.Resource }
            : null;
        return ResponseWriter.WriteAsync(context, 403, new ApiException(403, "Forbidden", request.ForbiddenMessage(), details).ToStatus());
    }
}
