using System.Text.Json.Nodes;
using Ops.Sandbox.Api;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Security;

/// <summary>
/// The serviceaccounts/token subresource (kubectl create token, and the kubelet for projected volumes): a
/// TokenRequest for an existing account, at least 10 minutes long (1 hour by default), optionally bound to a
/// pod or Secret of its namespace, answered with the token and its expiry in the status.
/// </summary>
internal sealed class TokenRequests(ObjectStore store, ServiceAccountTokens tokens, TimeProvider clock)
{
    public JsonObject Create(ResourceType serviceAccounts, string ns, string name, JsonObject request)
    {
        var account = store.Get("serviceaccounts", StoredObject.KeyOf(ns, name)) ?? throw ApiException.NotFound(serviceAccounts, name);
        var spec = request["spec"] as JsonObject ?? [];
        var seconds = (long?)spec["expirationSeconds"] ?? 3600;
        if (seconds < 600) throw Invalid(name, "spec.expirationSeconds", $"Invalid value: {seconds}: may not specify a duration less than 10 minutes");
        if (seconds > 1L << 32) throw Invalid(name, "spec.expirationSeconds", $"Invalid value: {seconds}: may not specify a duration larger than 2^32 seconds");
        ServiceAccountTokens.BoundPod? pod = null;
        if (spec["boundObjectRef"] is JsonObject bound)
        {
            var kind = (string?)bound["kind"] ?? "";
            var boundName = (string?)bound["name"] ?? "";
            var storageKey = kind switch { "Pod" => "pods", "Secret" => "secrets", _ => throw Invalid(name, "spec.boundObjectRef.kind", $"Unsupported value: \"{kind}\": supported values: \"Pod\", \"Secret\"") };
            var target = store.Get(storageKey, StoredObject.KeyOf(ns, boundName))
                ?? throw new ApiException(404, "NotFound", $"{storageKey} \"{boundName}\" not found");
            if ((string?)bound["uid"] is { Length: > 0 } uid && uid != target.Uid) throw new ApiException(409, "Conflict", $"the UID in the bound object reference ({uid}) does not match the UID in record. The object might have been deleted and then recreated");
            if (kind == "Pod") pod = new(boundName, target.Uid);
        }
        var audiences = (spec["audiences"] as JsonArray ?? []).Select(a => (string?)a ?? "").Where(a => a.Length > 0).ToList();
        var (token, expires) = tokens.Issue(ns, name, account.Uid, pod, seconds, audiences);
        return new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["creationTimestamp"] = Timestamps.Format(clock.GetUtcNow()) },
            ["spec"] = new JsonObject { ["audiences"] = new JsonArray([.. (audiences.Count == 0 ? [ServiceAccountTokens.Issuer] : audiences).Select(a => (JsonNode)a)]), ["expirationSeconds"] = seconds, ["boundObjectRef"] = spec["boundObjectRef"]?.DeepClone() },
            ["status"] = new JsonObject { ["token"] = token, ["expirationTimestamp"] = Timestamps.Format(expires) },
        };
    }

    private static ApiException Invalid(string name, string field, string message) =>
        new(422, "Invalid", $"TokenRequest.authentication.k8s.io \"{name}\" is invalid: {field}: {message}");
}
