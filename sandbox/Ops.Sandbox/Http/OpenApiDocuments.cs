using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Http;

/// <summary>
/// OpenAPI v3 discovery: the root lists a document per group/version; each document has the
/// resource paths (with the query parameters kubectl checks for, such as fieldValidation) tagged with
/// x-kubernetes-group-version-kind, and the kinds' schemas (a CRD's own schema) for kubectl explain.
/// </summary>
internal static class OpenApiDocuments
{
    private static readonly string[] WriteParameters = ["dryRun", "fieldManager", "fieldValidation", "force"];

    public static JsonObject Root(ResourceCatalog catalog)
    {
        var paths = new JsonObject();
        foreach (var (group, versions) in catalog.Groups())
        {
            foreach (var version in versions)
            {
                var path = PathOf(group, version);
                var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Document(catalog, group, version)!.ToJsonString())))[..16];
                paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={hash}" };
            }
        }
        return new JsonObject { ["paths"] = paths };
    }

    public static JsonObject? Document(ResourceCatalog catalog, string group, string version)
    {
        var types = catalog.OfGroupVersion(group, version);
        if (types.Count == 0) return null;
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var type in types)
        {
            var gvk = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind };
            var prefix = "/" + PathOf(type.Group, type.Version) + (type.Namespaced ? "/namespaces/{namespace}" : "");
            paths[$"{prefix}/{type.Plural}"] = new JsonObject
            {
                ["get"] = Operation("list", type, gvk, ["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch", "timeoutSeconds"]),
                ["post"] = Operation("create", type, gvk, WriteParameters),
            };
            var item = new JsonObject
            {
                ["get"] = Operation("read", type, gvk, []),
                ["put"] = Operation("replace", type, gvk, WriteParameters),
                ["patch"] = Operation("patch", type, gvk, WriteParameters),
                ["delete"] = Operation("delete", type, gvk, ["dryRun", "propagationPolicy", "gracePeriodSeconds"]),
            };
            paths[$"{prefix}/{type.Plural}/{{name}}"] = item;
            if (type.HasStatusSubresource)
            {
                paths[$"{prefix}/{type.Plural}/{{name}}/status"] = new JsonObject
                {
                    ["get"] = Operation("read", type, gvk, []),
                    ["put"] = Operation("replace", type, gvk, WriteParameters),
                    ["patch"] = Operation("patch", type, gvk, WriteParameters),
                };
            }
            schemas[SchemaName(type)] = Schema(type, gvk);
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    public static string PathOf(string group, string version) => group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";

    private static JsonObject Operation(string verb, ResourceType type, JsonObject gvk, IEnumerable<string> parameters) => new()
    {
        ["operationId"] = $"{verb}{type.Kind}",
        ["x-kubernetes-action"] = verb == "read" ? "get" : verb == "replace" ? "put" : verb == "create" ? "post" : verb,
        ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
        ["parameters"] = new JsonArray([.. parameters.Select(p => (JsonNode)new JsonObject
        {
            ["name"] = p,
            ["in"] = "query",
            ["schema"] = new JsonObject { ["type"] = p is "limit" or "timeoutSeconds" or "gracePeriodSeconds" ? "integer" : p is "watch" or "force" ? "boolean" : "string", ["uniqueItems"] = true },
        })]),
        ["responses"] = new JsonObject
        {
            ["200"] = new JsonObject
            {
                ["description"] = "OK",
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = $"#/components/schemas/{SchemaName(type)}" } } },
            },
        },
    };

    private static JsonObject Schema(ResourceType type, JsonObject gvk)
    {
        var schema = type.Schema is not null && type.IsCustom && type.RawSchema is JsonObject raw
            ? raw.DeepClone().AsObject()
            : new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
        schema["x-kubernetes-group-version-kind"] = new JsonArray(gvk.DeepClone());
        return schema;
    }

    private static string SchemaName(ResourceType type)
    {
        var group = type.Group.Length == 0 ? "io.k8s.api.core" : string.Join('.', type.Group.Split('.').Reverse());
        return $"{group}.{type.Version}.{type.Kind}";
    }
}
