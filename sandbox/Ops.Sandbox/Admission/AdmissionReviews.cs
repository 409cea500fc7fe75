using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Admission;

/// <summary>What a webhook answered: allowed or not (with the status it gave), a JSONPatch (mutating webhooks), warnings.</summary>
internal sealed record AdmissionVerdict(bool Allowed, int Code, string Message, JsonNode? Patch, IReadOnlyList<string> Warnings);

/// <summary>AdmissionReview v1 (admission.k8s.io/v1) as the API server sends it and reads the answer.</summary>
internal static class AdmissionReviews
{
    public const string ApiVersion = "admission.k8s.io/v1";

    public static JsonObject Request(string uid, AdmissionAttributes request)
    {
        var type = request.Type;
        var body = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind },
            ["resource"] = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["resource"] = type.Plural },
            ["requestKind"] = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind },
            ["requestResource"] = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["resource"] = type.Plural },
            ["operation"] = request.Operation,
            ["userInfo"] = new JsonObject { ["username"] = request.User, ["groups"] = new JsonArray([.. request.Groups.Select(g => (JsonNode?)g)]) },
            ["object"] = request.Object?.DeepClone(),
            ["oldObject"] = request.OldObject?.DeepClone(),
            ["dryRun"] = request.DryRun,
            ["options"] = new JsonObject { ["apiVersion"] = "meta.k8s.io/v1", ["kind"] = request.Operation == AdmissionAttributes.Create ? "CreateOptions" : "UpdateOptions" },
        };
        if (request.Name.Length > 0) body["name"] = request.Name;
        if (request.Namespace.Length > 0) body["namespace"] = request.Namespace;
        return new JsonObject { ["apiVersion"] = ApiVersion, ["kind"] = "AdmissionReview", ["request"] = body };
    }

    /// <summary>The webhook's answer, checked as the API server checks it; a malformed one is an error of the call.</summary>
    public static AdmissionVerdict Read(JsonNode? answer, string uid)
    {
        if ((string?)answer?["apiVersion"] != ApiVersion || (string?)answer?["kind"] != "AdmissionReview")
        {
            throw new InvalidDataException($"expected response.apiVersion {ApiVersion} and kind AdmissionReview");
        }
        var response = answer!["response"] as JsonObject ?? throw new InvalidDataException("webhook response was absent");
        if ((string?)response["uid"] != uid) throw new InvalidDataException($"expected response.uid=\"{uid}\", got \"{(string?)response["uid"]}\"");
        var status = response["status"] as JsonObject;
        JsonNode? patch = null;
        if ((string?)response["patch"] is { Length: > 0 } encoded)
        {
            if ((string?)response["patchType"] != "JSONPatch") throw new InvalidDataException("a patch without patchType JSONPatch");
            patch = JsonNode.Parse(Convert.FromBase64String(encoded));
        }
        var warnings = (response["warnings"] as JsonArray ?? []).Select(w => (string?)w ?? "").Where(w => w.Length > 0).ToList();
        return new AdmissionVerdict((bool?)response["allowed"] == true, (int?)status?["code"] ?? 0, (string?)status?["message"] ?? (string?)status?["reason"] ?? "", patch, warnings);
    }

    /// <summary>A refusal as the API server returns it: at least 400, the webhook's message after its name.</summary>
    public static ApiException Denied(string webhook, AdmissionVerdict verdict)
    {
        var code = verdict.Code < 400 ? 400 : verdict.Code;
        var message = verdict.Message.Length > 0 ? $"admission webhook \"{webhook}\" denied the request: {verdict.Message}" : $"admission webhook \"{webhook}\" denied the request without explanation";
        return new ApiException(code, code switch { 403 => "Forbidden", 422 => "Invalid", 409 => "Conflict", _ => "BadRequest" }, message);
    }
}
