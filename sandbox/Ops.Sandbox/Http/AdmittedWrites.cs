using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Ops.Sandbox.Admission;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Http;

/// <summary>
/// Creates, updates and patches of a resource (not of its subresources) pass the admission webhooks before they are
/// stored, with the object the request would store and the one it replaces. A patch is worked out first (as a dry
/// run) and its result admitted; what a mutating webhook changes is stored as an update conditional on the version
/// the patch was worked out on, worked out again when another write came between.
/// </summary>
internal sealed class AdmittedWrites(ResourceService service, AdmissionChain admission)
{
    private const int Attempts = 5;

    public async Task<ApiResult> CreateAsync(HttpContext context, RequestScope scope, JsonNode? body, WriteOptions options)
    {
        if (!Admits(scope) || body is not JsonObject obj) return service.Create(scope, body, options);
        var (admitted, warnings) = await admission.AdmitAsync(Attributes(context, scope, AdmissionAttributes.Create, obj, null, options), context.RequestAborted);
        return WithWarnings(service.Create(scope, admitted, options), warnings);
    }

    public async Task<ApiResult> UpdateAsync(HttpContext context, RequestScope scope, JsonNode? body, WriteOptions options)
    {
        if (!Admits(scope) || body is not JsonObject obj) return service.Update(scope, body, options);
        var old = service.RenderObject(service.Get(scope), scope.Type);
        var (admitted, warnings) = await admission.AdmitAsync(Attributes(context, scope, AdmissionAttributes.Update, obj, old, options), context.RequestAborted);
        return WithWarnings(service.Update(scope, admitted, options), warnings);
    }

    public async Task<ApiResult> PatchAsync(HttpContext context, RequestScope scope, string? contentType, string body, WriteOptions options)
    {
        if (!Admits(scope)) return service.Patch(scope, contentType, body, options);
        for (var attempt = 1; ; attempt++)
        {
            var dryRun = service.Patch(scope, contentType, body, options with { DryRun = true });
            var result = service.RenderObject(dryRun.Object!, scope.Type);
            var created = dryRun.Code == 201;
            var old = created ? null : service.RenderObject(service.Get(scope), scope.Type);
            var (admitted, warnings) = await admission.AdmitAsync(
                Attributes(context, scope, created ? AdmissionAttributes.Create : AdmissionAttributes.Update, result, old, options), context.RequestAborted);
            if (options.DryRun) return WithWarnings(dryRun, warnings);
            // Unchanged by the webhooks: the patch itself is stored, keeping what it records (an apply's field ownership).
            if (JsonNode.DeepEquals(admitted, result)) return WithWarnings(service.Patch(scope, contentType, body, options), warnings);
            try
            {
                return WithWarnings(created ? service.Create(scope, admitted, options) : service.Update(scope, admitted, options), warnings);
            }
            catch (ApiException e) when (e.Code == 409 && attempt < Attempts)
            {
                // Changed (or created) by someone else since the patch was worked out: work it out again on the new version.
            }
        }
    }

    private bool Admits(RequestScope scope) => scope.Subresource is null && admission.Configured;

    private static AdmissionAttributes Attributes(HttpContext context, RequestScope scope, string operation, JsonObject obj, JsonObject? old, WriteOptions options)
    {
        var (user, groups) = Security.BearerTokenMiddleware.UserOf(context);
        var name = (string?)obj["metadata"]?["name"] ?? scope.Name ?? "";
        return new AdmissionAttributes(scope.Type, operation, scope.Namespace, name, obj, old, user, groups, options.DryRun);
    }

    private static ApiResult WithWarnings(ApiResult result, IReadOnlyList<string> warnings)
    {
        result.Warnings.AddRange(warnings);
        return result;
    }
}
