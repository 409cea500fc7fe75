using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Ops.Sandbox.Api;
using Ops.Sandbox.Patching;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Admission;

/// <summary>
/// Dynamic admission, as the API server runs it before it stores a create or an update: every matching webhook of the
/// MutatingWebhookConfigurations in turn (configurations and their webhooks in name order), each seeing the object as
/// the ones before it patched it; then every matching webhook of the ValidatingWebhookConfigurations. A refusal ends
/// the request with the webhook's message; a webhook that cannot be called, times out or answers wrongly ends it too
/// under failurePolicy Fail (the default) and is passed over under Ignore. A webhook whose matchConditions do not hold
/// is not called (<see cref="MatchConditions"/>).
/// </summary>
internal sealed partial class AdmissionChain(ObjectStore store, WebhookCaller caller, ILogger<AdmissionChain> logger)
{
    private const string Group = "admissionregistration.k8s.io";

    /// <summary>Whether any webhook is configured at all: without one, writes skip admission entirely.</summary>
    public bool Configured
    {
        get
        {
            var snapshot = store.Snapshot();
            return snapshot.Of($"mutatingwebhookconfigurations.{Group}").Count + snapshot.Of($"validatingwebhookconfigurations.{Group}").Count > 0;
        }
    }

    /// <summary>The object to store, as the mutating webhooks left it; throws the refusal of any webhook.</summary>
    public async Task<(JsonObject? Object, IReadOnlyList<string> Warnings)> AdmitAsync(AdmissionAttributes request, CancellationToken cancellationToken)
    {
        var snapshot = store.Snapshot();
        var namespaceLabels = request.Namespace.Length > 0 ? snapshot.Of("namespaces").GetValueOrDefault(request.Namespace)?.Parse()["metadata"]?["labels"] as JsonObject : null;
        var warnings = new List<string>();
        var current = request;
        foreach (var webhook in Webhooks(snapshot, "mutatingwebhookconfigurations"))
        {
            if (!WebhookRules.Applies(webhook, current, namespaceLabels)) continue;
            if (await CallAsync(webhook, current, cancellationToken) is not { } verdict) continue;
            warnings.AddRange(verdict.Warnings);
            if (verdict.Patch is not null && current.Object is not null)
            {
                current = current with { Object = JsonPatch.Apply(current.Object.DeepClone(), verdict.Patch).AsObject() };
            }
        }
        foreach (var webhook in Webhooks(snapshot, "validatingwebhookconfigurations"))
        {
            if (WebhookRules.Applies(webhook, current, namespaceLabels) && await CallAsync(webhook, current, cancellationToken) is { } verdict) warnings.AddRange(verdict.Warnings);
        }
        return (current.Object, warnings);
    }

    private static IEnumerable<JsonObject> Webhooks(StoreSnapshot snapshot, string plural) =>
        snapshot.Of($"{plural}.{Group}").Values.OrderBy(c => c.Name, StringComparer.Ordinal)
            .SelectMany(c => (c.Parse()["webhooks"] as JsonArray ?? []).OfType<JsonObject>());

    /// <summary>The webhook's allowing verdict; null when its matchConditions do not hold, or it failed and its failurePolicy is Ignore; throws its refusal or failure.</summary>
    private async Task<AdmissionVerdict?> CallAsync(JsonObject webhook, AdmissionAttributes request, CancellationToken cancellationToken)
    {
        var name = (string?)webhook["name"] ?? "";
        try
        {
            if (!MatchConditions.Hold(webhook, request)) return null;
        }
        catch (InvalidOperationException e)
        {
            if ((string?)webhook["failurePolicy"] == "Ignore")
            {
                WebhookIgnored(logger, name, e.Message);
                return null;
            }
            throw new ApiException(500, "InternalError", $"Internal error occurred: failed calling webhook \"{name}\": {e.Message}");
        }
        if (request.DryRun && (string?)webhook["sideEffects"] is not ("None" or "NoneOnDryRun"))
        {
            throw ApiException.BadRequest($"admission webhook \"{name}\" has side effects and does not support dry run");
        }
        var uid = Guid.NewGuid().ToString();
        var timeout = TimeSpan.FromSeconds(Math.Clamp((int?)webhook["timeoutSeconds"] ?? 10, 1, 30));
        AdmissionVerdict verdict;
        try
        {
            var answer = await caller.CallAsync(webhook["clientConfig"] as JsonObject ?? [], AdmissionReviews.Request(uid, request), timeout, cancellationToken);
            verdict = AdmissionReviews.Read(answer, uid);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not ApiException)
        {
            var detail = e is TaskCanceledException or TimeoutException ? $"context deadline exceeded ({timeout.TotalSeconds:0}s)" : e.Message;
            if ((string?)webhook["failurePolicy"] == "Ignore")
            {
                WebhookIgnored(logger, name, detail);
                return null;
            }
            throw new ApiException(500, "InternalError", $"Internal error occurred: failed calling webhook \"{name}\": {detail}");
        }
        if (!verdict.Allowed) throw AdmissionReviews.Denied(name, verdict);
        return verdict;
    }

    [LoggerMessage(1, LogLevel.Warning, "Failed calling webhook {Webhook}, failing open (failurePolicy Ignore): {Detail}")]
    private static partial void WebhookIgnored(ILogger logger, string webhook, string detail);
}
