using System.Text.Json.Nodes;

namespace Ops.Sandbox.Security;

/// <summary>
/// TokenReview, SubjectAccessReview and SelfSubjectAccessReview, as a server that delegates authentication and
/// authorization to the API server (the operator's artifact downloads) and kubectl auth can-i call them: a token is
/// one <see cref="SandboxIdentity"/> knows; access is decided by the same RBAC that guards every request
/// (<see cref="RbacAuthorizer"/>), for the user the review names or, for a self review, the caller.
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
        return Decide(review, (string?)spec["user"] ?? "", [.. (spec["groups"] as JsonArray ?? []).Select(g => (string?)g ?? "")]);
    }

    /// <summary>A SelfSubjectReview (kubectl auth whoami): who the caller is, after impersonation.</summary>
    public JsonObject SelfSubjectReview((string User, string[] Groups) caller) => new()
    {
        ["kind"] = "SelfSubjectReview",
        ["apiVersion"] = "authentication.k8s.io/v1",
        ["metadata"] = new JsonObject(),
        ["status"] = new JsonObject { ["userInfo"] = new JsonObject { ["username"] = caller.User, ["groups"] = new JsonArray([.. caller.Groups.Select(g => (JsonNode)g)]) } },
    };

    /// <summary>A SelfSubjectAccessReview: whether the caller (after impersonation) may do what the spec says.</summary>
    public JsonObject SelfSubjectAccessReview(JsonObject review, (string User, string[] Groups) caller) => Decide(review, caller.User, caller.Groups);

    private JsonObject Decide(JsonObject review, string user, IReadOnlyList<string> groups)
    {
        var spec = review["spec"] as JsonObject ?? [];
        RbacAuthorizer.Request? request = null;
        if (spec["resourceAttributes"] is JsonObject attributes)
        {
            request = new RbacAuthorizer.Request(user, groups, (string?)attributes["verb"] ?? "", (string?)attributes["group"] ?? "", (string?)attributes["resource"] ?? "",
                (string?)attributes["subresource"] ?? "", (string?)attributes["namespace"] ?? "", (string?)attributes["name"] ?? "");
        }
        else if (spec["nonResourceAttributes"] is JsonObject path)
        {
            request = new RbacAuthorizer.Request(user, groups, (string?)path["verb"] ?? "", "", "", "", "", "") { NonResourcePath = (string?)path["path"] ?? "" };
        }
        var (allowed, reason) = request is null ? (false, "the review names neither resourceAttributes nor nonResourceAttributes") : authorizer.Decide(request);
        review["status"] = new JsonObject { ["allowed"] = allowed, ["reason"] = reason };
        return review;
    }
}
