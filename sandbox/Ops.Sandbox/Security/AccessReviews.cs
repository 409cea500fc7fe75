using System.Text.Json.Nodes;

namespace Ops.Sandbox.Security;

/// <summary>
/// TokenReview and SubjectAccessReview, as a server that delegates authentication and authorization to the
/// API server (the operator's artifact downloads) calls them: a token is the sandbox's admin or a user a test
/// added (<see cref="SandboxIdentity"/>); access is decided by RBAC over the Roles and bindings stored in the
/// sandbox (<see cref="RbacAuthorizer"/>), for exactly the user and groups the review names.
/// </summary>
internal sealed class AccessReviews(SandboxIdentity identity, RbacAuthorizer authorizer)
{
    public JsonObject TokenReview(JsonObject review)
    {
        var user = identity.Authenticate((string?)review["spec"]?["token"] ?? "");
        review["status"] = user is { } known
            ? new JsonObject { ["authenticated"] = true, ["user"] = new JsonObject { ["username"] = known.User, ["groups"] = new JsonArray([.. known.Groups.Select(g => (JsonNode)g)]) } }
            : new JsonObject { ["authenticated"] = false, ["error"] = "invalid bearer token" };
        return review;
    }

    public JsonObject SubjectAccessReview(JsonObject review)
    {
        var spec = review["spec"] as JsonObject ?? [];
        var attributes = spec["resourceAttributes"] as JsonObject;
        var (allowed, reason) = attributes is null
            ? (false, "the sandbox decides resourceAttributes only (no nonResourceAttributes)")
            : authorizer.Decide(new RbacAuthorizer.Request(
                (string?)spec["user"] ?? "",
                [.. (spec["groups"] as JsonArray ?? []).Select(g => (string?)g ?? "")],
                (string?)attributes["verb"] ?? "",
                (string?)attributes["group"] ?? "",
                (string?)attributes["resource"] ?? "",
                (string?)attributes["subresource"] ?? "",
                (string?)attributes["namespace"] ?? "",
                (string?)attributes["name"] ?? ""));
        review["status"] = new JsonObject { ["allowed"] = allowed, ["reason"] = reason };
        return review;
    }
}
