using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Ops.Sandbox.Api;
using Ops.Sandbox.Patching;
using Ops.Sandbox.Tables;

namespace Ops.Sandbox.Http;

/// <summary>
/// The one request handler of the sandbox API server: routes discovery and resource paths, maps
/// HTTP verbs onto <see cref="ResourceService"/>, and turns every failure into a metav1.Status.
/// </summary>
internal sealed class ApiEndpoint(ResourceService service, AdmittedWrites writes, WatchStreamer watches, PodLogs logs, Security.AccessReviews reviews, Security.TokenRequests tokenRequests, ScaleSubresource scales, Security.AccessLog access, ILogger<ApiEndpoint> logger)
{
    /// <summary>The API server's request body limit (3 MiB).</summary>
    public const int MaxBodyBytes = RequestBodies.MaxBytes;

    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            await RouteAsync(context);
        }
        catch (ApiException e)
        {
            await WriteErrorAsync(context, e);
        }
        catch (Exception e) when (e is FormatException or YamlDotNet.Core.YamlException or InvalidOperationException or ArgumentException or InvalidCastException)
        {
            await WriteErrorAsync(context, ApiException.BadRequest(e.Message));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "Unhandled error serving {Method} {Path}", context.Request.Method, context.Request.Path);
            await WriteErrorAsync(context, new ApiException(500, "InternalError", $"Internal error occurred: {e.Message}"));
        }
    }

    private async Task WriteErrorAsync(HttpContext context, ApiException error)
    {
        access.Refused(context.Request.Headers.UserAgent.ToString(), error.Code);
        if (context.Response.HasStarted) return;
        await ResponseWriter.WriteAsync(context, error.Code, error.ToStatus());
    }

    private async Task RouteAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var segments = path.Trim('/').Split('/');
        var method = context.Request.Method;
        switch (segments)
        {
            case ["healthz" or "livez" or "readyz"]:
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("ok", context.RequestAborted);
                return;
            case ["version"]:
                await ResponseWriter.WriteAsync(context, 200, Discovery.Version());
                return;
            case ["api"]:
                await ResponseWriter.WriteAsync(context, 200, Discovery.CoreVersions($"{context.Request.Host}"));
                return;
            case ["apis"]:
                await ResponseWriter.WriteAsync(context, 200, Discovery.GroupList(service.Catalog));
                return;
            case ["apis", var group]:
                await ResponseWriter.WriteAsync(context, 200, Discovery.Group(service.Catalog, group) ?? throw NotFoundPath());
                return;
            case ["api", var coreVersion]:
                await ResponseWriter.WriteAsync(context, 200, Discovery.ResourceList(service.Catalog, "", coreVersion) ?? throw NotFoundPath());
                return;
            case ["apis", var group, var version]:
                await ResponseWriter.WriteAsync(context, 200, Discovery.ResourceList(service.Catalog, group, version) ?? throw NotFoundPath());
                return;
            case ["apis", "authentication.k8s.io", "v1", "tokenreviews"] when method == "POST":
                access.Record(context.Request.Headers.UserAgent.ToString(), "create", "authentication.k8s.io", "tokenreviews", ns: null);
                await ResponseWriter.WriteAsync(context, 201, reviews.TokenReview(QueryOptions.ParseJson(await RequestBodies.ReadAsync(context)) as JsonObject ?? throw ApiException.BadRequest("a TokenReview is an object")));
                return;
            case ["apis", "authorization.k8s.io", "v1", "subjectaccessreviews"] when method == "POST":
                access.Record(context.Request.Headers.UserAgent.ToString(), "create", "authorization.k8s.io", "subjectaccessreviews", ns: null);
                await ResponseWriter.WriteAsync(context, 201, reviews.SubjectAccessReview(QueryOptions.ParseJson(await RequestBodies.ReadAsync(context)) as JsonObject ?? throw ApiException.BadRequest("a SubjectAccessReview is an object")));
                return;
            case ["apis", "authorization.k8s.io", "v1", "selfsubjectaccessreviews"] when method == "POST":
                await ResponseWriter.WriteAsync(context, 201, reviews.SelfSubjectAccessReview(QueryOptions.ParseJson(await RequestBodies.ReadAsync(context)) as JsonObject
                    ?? throw ApiException.BadRequest("a SelfSubjectAccessReview is an object"), Security.BearerTokenMiddleware.UserOf(context)));
                return;
            case ["apis", "authentication.k8s.io", "v1", "selfsubjectreviews"] when method == "POST":
                await ResponseWriter.WriteAsync(context, 201, reviews.SelfSubjectReview(Security.BearerTokenMiddleware.UserOf(context)));
                return;
            case ["openapi", "v3"]:
                await ResponseWriter.WriteAsync(context, 200, OpenApiDocuments.Root(service.Catalog));
                return;
            case ["openapi", "v3", "api", var coreVersion]:
                await ResponseWriter.WriteAsync(context, 200, OpenApiDocuments.Document(service.Catalog, "", coreVersion) ?? throw NotFoundPath());
                return;
            case ["openapi", "v3", "apis", var group, var version]:
                await ResponseWriter.WriteAsync(context, 200, OpenApiDocuments.Document(service.Catalog, group, version) ?? throw NotFoundPath());
                return;
        }
        var apiPath = ApiPath.Parse(segments) ?? throw NotFoundPath();
        var type = service.Catalog.Find(apiPath.Group, apiPath.Version, apiPath.Resource) ?? throw NotFoundPath();
        if (apiPath.Namespace is not null && !type.Namespaced) throw NotFoundPath();
        var isLog = apiPath.Subresource == "log" && type.StorageKey == "pods" && apiPath.Name is not null;
        var isToken = apiPath.Subresource == "token" && type.StorageKey == "serviceaccounts" && apiPath.Name is not null && apiPath.Namespace is not null;
        if (apiPath.Subresource == "portforward" && type.StorageKey == "pods" && apiPath.Name is not null && apiPath.Namespace is not null && method is "GET" or "POST")
        {
            access.Record(context.Request.Headers.UserAgent.ToString(), "create", "", "pods/portforward", apiPath.Namespace);
            await PortForward.PortForwardEndpoint.HandleAsync(context, service.Get(new RequestScope(type, apiPath.Namespace, apiPath.Name, null)).Parse(), apiPath.Name);
            return;
        }
        if (apiPath.Subresource is "exec" or "attach" or "proxy" && apiPath.Name is not null)
        {
            throw new ApiException(501, "NotImplemented", $"the sandbox does not serve {type.Plural}/{apiPath.Subresource} (kubectl exec and attach run commands in containers, which its nodes do not do); a pod's ports are reachable with kubectl port-forward or on its pod IP");
        }
        var isScale = apiPath.Subresource == "scale" && ScaleSubresource.Serves(type) && apiPath.Name is not null && apiPath.Namespace is not null;
        if (apiPath.Subresource is not null && !(apiPath.Subresource == "status" && type.HasStatusSubresource) && !isLog && !isToken && !isScale) throw NotFoundPath();
        if (apiPath.Namespace is { } ns && !Validation.ObjectMetaValidator.IsDnsLabel(ns)) throw NotFoundPath();
        var scope = new RequestScope(type, apiPath.Namespace ?? "", apiPath.Name, apiPath.Subresource);
        var verb = Security.RequestAttributes.Verb(method, apiPath.Name is null, QueryOptions.Flag(context.Request.Query, "watch"));
        access.Record(context.Request.Headers.UserAgent.ToString(), verb, apiPath.Group, apiPath.Subresource is { } sub ? $"{apiPath.Resource}/{sub}" : apiPath.Resource, apiPath.Namespace);

        if (isToken)
        {
            if (method != "POST") throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
            await ResponseWriter.WriteAsync(context, 201, tokenRequests.Create(type, apiPath.Namespace!, apiPath.Name!, QueryOptions.ParseJson(await RequestBodies.ReadAsync(context)) as JsonObject ?? []));
            return;
        }
        if (isScale)
        {
            var (code, scale) = method switch
            {
                "GET" => (200, scales.Get(scope)),
                "PUT" => (200, scales.Update(scope, QueryOptions.ParseJson(await RequestBodies.ReadAsync(context)), QueryOptions.Write(context.Request))),
                "PATCH" => (200, scales.Patch(scope, context.Request.ContentType, await RequestBodies.ReadAsync(context), QueryOptions.Write(context.Request))),
                _ => throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource"),
            };
            await ResponseWriter.WriteAsync(context, code, scale);
            return;
        }
        if (isLog)
        {
            if (method != "GET") throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
            await logs.WriteAsync(context, scope);
            return;
        }
        switch (method, apiPath.Name is null)
        {
            case ("GET", true):
                if (QueryOptions.Flag(context.Request.Query, "watch")) await watches.StreamAsync(context, scope, QueryOptions.List(context.Request.Query, type));
                else await ListAsync(context, scope);
                return;
            case ("GET", false):
                if (type.Namespaced && apiPath.Namespace is null) throw NotFoundPath();
                await WriteObjectAsync(context, 200, service.Get(scope), type);
                return;
            case ("POST", true):
                if (type.Namespaced && apiPath.Namespace is null) throw ApiException.MethodNotAllowed("create of a namespaced resource needs a namespace in the path");
                await WriteResultAsync(context, await writes.CreateAsync(context, scope, QueryOptions.ParseJson(await RequestBodies.ReadAsync(context)), QueryOptions.Write(context.Request)), type);
                return;
            case ("PUT", false):
                await WriteResultAsync(context, await writes.UpdateAsync(context, scope, QueryOptions.ParseJson(await RequestBodies.ReadAsync(context)), QueryOptions.Write(context.Request)), type);
                return;
            case ("PATCH", false):
                await WriteResultAsync(context, await writes.PatchAsync(context, scope, context.Request.ContentType, await RequestBodies.ReadAsync(context), QueryOptions.Write(context.Request)), type);
                return;
            case ("DELETE", false):
                var deleteBody = QueryOptions.ParseJson(await RequestBodies.ReadAsync(context));
                await WriteResultAsync(context, service.Delete(scope, QueryOptions.Delete(context.Request.Query, deleteBody)), type);
                return;
            case ("DELETE", true):
                var options = QueryOptions.Delete(context.Request.Query, QueryOptions.ParseJson(await RequestBodies.ReadAsync(context)));
                var results = service.DeleteCollection(scope, QueryOptions.List(context.Request.Query, type), options);
                await ResponseWriter.WriteListAsync(context, type.ListKind, type.ApiVersion, service.Store.ResourceVersion, null, null,
                    results.Where(r => r.Object is not null).Select(r => service.Render(r.Object!, type)));
                return;
            default:
                throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource");
        }
    }

    private async Task ListAsync(HttpContext context, RequestScope scope)
    {
        var type = scope.Type;
        var result = service.List(scope, QueryOptions.List(context.Request.Query, type));
        var accept = context.Request.Headers.Accept.ToString();
        if (accept.Contains("as=Table", StringComparison.Ordinal))
        {
            var table = TableBuilder.Build(type, result.Items.Select(o => service.RenderObject(o, type)), result.ResourceVersion.ToString(), result.Continue,
                context.Request.Query["includeObject"].ToString(), service.Now);
            await ResponseWriter.WriteAsync(context, 200, table);
            return;
        }
        if (accept.Contains("as=PartialObjectMetadataList", StringComparison.Ordinal))
        {
            await ResponseWriter.WriteListAsync(context, "PartialObjectMetadataList", "meta.k8s.io/v1", result.ResourceVersion, result.Continue, result.RemainingItemCount,
                result.Items.Select(o => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(TableBuilder.PartialMetadata(o.Parse()), JsonOptions.Wire)));
            return;
        }
        await ResponseWriter.WriteListAsync(context, type.ListKind, type.ApiVersion, result.ResourceVersion, result.Continue, result.RemainingItemCount,
            result.Items.Select(o => service.Render(o, type)));
    }

    private async Task WriteResultAsync(HttpContext context, ApiResult result, ResourceType type)
    {
        if (result.Body is not null) await ResponseWriter.WriteAsync(context, result.Code, result.Body, result.Warnings);
        else await WriteObjectAsync(context, result.Code, result.Object!, type, result.Warnings);
    }

    private async Task WriteObjectAsync(HttpContext context, int code, Storage.StoredObject obj, ResourceType type, IEnumerable<string>? warnings = null)
    {
        var accept = context.Request.Headers.Accept.ToString();
        if (accept.Contains("as=Table", StringComparison.Ordinal))
        {
            var table = TableBuilder.Build(type, [service.RenderObject(obj, type)], obj.ResourceVersion.ToString(), null, context.Request.Query["includeObject"].ToString(), service.Now);
            await ResponseWriter.WriteAsync(context, code, table, warnings);
            return;
        }
        if (accept.Contains("as=PartialObjectMetadata", StringComparison.Ordinal))
        {
            await ResponseWriter.WriteAsync(context, code, TableBuilder.PartialMetadata(obj.Parse()), warnings);
            return;
        }
        await ResponseWriter.WriteAsync(context, code, service.Render(obj, type), warnings);
    }

    private static ApiException NotFoundPath() => new(404, "NotFound", "the server could not find the requested resource");
}
