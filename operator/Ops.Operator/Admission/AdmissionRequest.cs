using System.Text.Json.Nodes;

namespace Ops.Operator.Admission;

/// <summary>The part of an AdmissionReview v1 request the webhooks read.</summary>
public sealed record AdmissionRequest(
    string Uid, string Operation, string Group, string Kind, string Namespace, string Username, IReadOnlyList<string> Groups, JsonObject? Object, JsonObject? OldObject)
{
    public const string ApiVersion = "admission.k8s.io/v1";

    /// <summary>The request of a review, or null with why when it is not an AdmissionReview v1 request.</summary>
    public static AdmissionRequest? Parse(JsonNode? review, out string? problem)
    {
        problem = null;
        if ((string?)review?["apiVersion"] != ApiVersion || (string?)review?["kind"] != "AdmissionReview" || review?["request"] is not JsonObject request)
        {
            problem = $"expected an AdmissionReview of {ApiVersion} with a request";
            return null;
        }
        if ((string?)request["uid"] is not { Length: > 0 } uid)
        {
            problem = "the request has no uid";
            return null;
        }
        var user = request["userInfo"] as JsonObject;
        return new AdmissionRequest(
            uid,
            (string?)request["operation"] ?? "",
            (string?)request["kind"]?["group"] ?? "",
            (string?)request["kind"]?["kind"] ?? "",
            (string?)request["namespace"] ?? "",
            (string?)user?["username"] ?? "",
            [.. (user?["groups"] as JsonArray ?? []).Select(g => (string?)g).OfType<string>()],
            request["object"] as JsonObject,
            request["oldObject"] as JsonObject);
    }

    /// <summary>The answer: allowed (with a JSONPatch when given), or refused with an HTTP status code and a message kubectl shows.</summary>
    public JsonObject Answer(bool allowed, int code = 200, string? message = null, JsonArray? patch = null)
    {
        var response = new JsonObject { ["uid"] = Uid, ["allowed"] = allowed };
        if (!allowed) response["status"] = new JsonObject { ["code"] = code, ["message"] = message, ["reason"] = code == 403 ? "Forbidden" : "Invalid" };
        if (patch is { Count: > 0 })
        {
            response["patchType"] = "JSONPatch";
            response["patch"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(patch.ToJsonString()));
        }
        return new JsonObject { ["apiVersion"] = ApiVersion, ["kind"] = "AdmissionReview", ["response"] = response };
    }
}
