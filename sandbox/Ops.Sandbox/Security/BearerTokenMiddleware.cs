using Microsoft.AspNetCore.Http;
using Ops.Sandbox.Api;
using Ops.Sandbox.Http;

namespace Ops.Sandbox.Security;

/// <summary>
/// Every request must carry <c>Authorization: Bearer &lt;token&gt;</c>; otherwise 401 with a Status body.
/// Health and version are public, as the system:public-info-viewer role makes them on a real cluster. The
/// admin's token may do everything; a user's token is authenticated but its API requests are refused (403):
/// the sandbox decides RBAC for SubjectAccessReviews only.
/// </summary>
internal sealed class BearerTokenMiddleware(RequestDelegate next, SandboxIdentity identity)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : "";
        if (path is "/healthz" or "/livez" or "/readyz" or "/version" || identity.IsAdmin(token))
        {
            await next(context);
            return;
        }
        if (identity.Authenticate(token) is { } user)
        {
            await ResponseWriter.WriteAsync(context, 403, new ApiException(403, "Forbidden",
                $"user \"{user.User}\" cannot {context.Request.Method} {path}: the sandbox serves API requests for {SandboxIdentity.AdminUser} only").ToStatus());
            return;
        }
        await ResponseWriter.WriteAsync(context, 401, new ApiException(401, "Unauthorized", "Unauthorized").ToStatus());
    }
}
