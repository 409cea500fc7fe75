using System.Text.Json.Nodes;
using Ops.Sandbox.Selection;

namespace Ops.Sandbox.Admission;

/// <summary>
/// Whether a webhook of a ValidatingWebhookConfiguration or MutatingWebhookConfiguration is called for a request, as
/// the API server decides it: one of its rules matches the operation, group, version, resource and scope; its
/// namespaceSelector matches the labels of the object's namespace (of the Namespace itself; any cluster-scoped
/// object of another kind passes); its objectSelector matches the labels of the new or the old object.
/// </summary>
internal static class WebhookRules
{
    public static bool Applies(JsonObject webhook, AdmissionAttributes request, JsonObject? namespaceLabels) =>
        (webhook["rules"] as JsonArray ?? []).OfType<JsonObject>().Any(rule => RuleMatches(rule, request))
        && NamespaceMatches(webhook["namespaceSelector"] as JsonObject, request, namespaceLabels)
        && ObjectMatches(webhook["objectSelector"] as JsonObject, request);

    private static bool RuleMatches(JsonObject rule, AdmissionAttributes request)
    {
        var type = request.Type;
        var scope = (string?)rule["scope"] ?? "*";
        return Has(rule["operations"], request.Operation) && Has(rule["apiGroups"], type.Group) && Has(rule["apiVersions"], type.Version)
            && Strings(rule["resources"]).Any(r => r is "*" or "*/*" || r == type.Plural)
            && (scope == "*" || scope == (type.Namespaced ? "Namespaced" : "Cluster"));
    }

    private static bool NamespaceMatches(JsonObject? selector, AdmissionAttributes request, JsonObject? namespaceLabels)
    {
        if (selector is null || (!request.Type.Namespaced && request.Type.Plural != "namespaces")) return true;
        var labels = request.Type.Plural == "namespaces" ? LabelsOf(request.Object ?? request.OldObject) : namespaceLabels;
        return JsonLabelSelector.Selects(selector, labels);
    }

    private static bool ObjectMatches(JsonObject? selector, AdmissionAttributes request) =>
        selector is null || JsonLabelSelector.Selects(selector, LabelsOf(request.Object)) || (request.OldObject is { } old && JsonLabelSelector.Selects(selector, LabelsOf(old)));

    private static JsonObject? LabelsOf(JsonObject? obj) => obj?["metadata"]?["labels"] as JsonObject;

    private static bool Has(JsonNode? list, string value) => Strings(list).Any(v => v == "*" || v == value);

    private static IEnumerable<string> Strings(JsonNode? node) => (node as JsonArray ?? []).Select(n => (string?)n ?? "");
}
