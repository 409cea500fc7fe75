using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Ops.Sandbox.Api;
using Ops.Sandbox.Http;

namespace Ops.Sandbox.Security;

/// <summary>
/// Every request must carry <c>Authorization: Bearer &lt;token&gt;</c>; otherwise 401 with a Status body.
/// Health and version are public, as the system:public-info-viewer role makes them on a real cluster.
/// </summary>
internal sealed class BearerTokenMiddleware(RequestDelegate next, string token)
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes("Bearer " + token);

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (path is "/healthz" or "/livez" or "/readyz" or "/version" || Authorized(context.Request.Headers.Authorization.ToString()))
        {
            await next(context);
            return;
        }
        await ResponseWriter.WriteAsync(context, 401, new ApiException(401, "Unauthorized", "Unauthorized").ToStatus());
    }

    private bool Authorized(string header) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), _expected);
}
