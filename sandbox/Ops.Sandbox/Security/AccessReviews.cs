using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Ops.Sandbox.Security;

/// <summary>
/// TokenReview and SubjectAccessReview, as a server that delegates authentication and authorization to
/// the API server (the operator's artifact downloads) calls them. The sandbox knows one identity: its
/// token is user <c>sandbox-admin</c> in <c>system:masters</c>, allowed everything; any other token is
/// not authenticated, and any other user is allowed nothing.
/// </summary>
internal sealed class AccessReviews(SandboxIdentity identity)
{
    public const string AdminUser = "sandbox-admin";

    public JsonObject TokenReview(JsonObject review)
    {
        var token = (string?)review["spec"]?["token"] ?? "";
        var authenticated = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(identity.Token));
        review["status"] = authenticated
            ? new JsonObject { ["authenticated"] = true, ["user"] = new JsonObject { ["username"] = AdminUser, ["groups"] = new JsonArray("system:masters", "system:authenticated") } }
            : new JsonObject { ["authenticated"] = false, ["error"] = "invalid bearer token" };
        return review;
    }

    public JsonObject SubjectAccessReview(JsonObject review)
    {
        var allowed = (string?)review["spec"]?["user"] == AdminUser;
        review["status"] = allowed
            ? new JsonObject { ["allowed"] = true, ["reason"] = "sandbox-admin may do everything" }
            : new JsonObject { ["allowed"] = false, ["reason"] = "the sandbox grants nothing to users other than sandbox-admin" };
        return review;
    }
}
