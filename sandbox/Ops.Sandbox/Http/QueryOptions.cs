using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Ops.Sandbox.Api;
using Ops.Sandbox.Selection;

namespace Ops.Sandbox.Http;

/// <summary>Reads list, write and delete options from the query string (and a DELETE body), rejecting bad values with 400.</summary>
internal static class QueryOptions
{
    public static bool Flag(IQueryCollection query, string name) => query[name].ToString() is "true" or "1";

    public static ListOptions List(IQueryCollection query, ResourceType type)
    {
        var limitText = query["limit"].ToString();
        var limit = 0;
        if (limitText.Length > 0 && (!int.TryParse(limitText, out limit) || limit < 0)) throw ApiException.BadRequest($"invalid limit: \"{limitText}\"");
        return new ListOptions(
            LabelSelector.Parse(query["labelSelector"].ToString()),
            FieldSelector.Parse(query["fieldSelector"].ToString(), type),
            limit,
            NullIfEmpty(query["continue"].ToString()),
            NullIfEmpty(query["resourceVersion"].ToString()));
    }

    public static WriteOptions Write(HttpRequest request)
    {
        var query = request.Query;
        var dryRun = query["dryRun"].ToString();
        if (dryRun.Length > 0 && dryRun != "All") throw ApiException.BadRequest($"Invalid dry run value: \"{dryRun}\": supported values are All");
        var validation = query["fieldValidation"].ToString();
        if (validation.Length == 0) validation = "Warn";
        if (validation is not ("Strict" or "Warn" or "Ignore")) throw ApiException.BadRequest($"fieldValidation must be one of Ignore, Warn, Strict: \"{validation}\"");
        var manager = NullIfEmpty(query["fieldManager"].ToString());
        if (manager is { Length: > 128 }) throw ApiException.BadRequest("fieldManager must be at most 128 characters");
        return new WriteOptions(dryRun == "All", manager, validation, Flag(query, "force"), request.Headers.UserAgent.ToString());
    }

    public static DeleteOptions Delete(IQueryCollection query, JsonNode? body)
    {
        var options = body as JsonObject;
        if (body is not null && options is null) throw ApiException.BadRequest("DeleteOptions must be an object");
        var policy = Text(options, "propagationPolicy") ?? NullIfEmpty(query["propagationPolicy"].ToString());
        if (policy is null)
        {
            var orphan = options?["orphanDependents"] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : (bool?)null;
            if (orphan is not null) policy = orphan.Value ? "Orphan" : "Background";
        }
        var dryRun = query["dryRun"].ToString() == "All";
        if (options?["dryRun"] is { } modes)
        {
            if (modes is not JsonArray list || list.Any(m => m is not JsonValue v || v.GetValueKind() != JsonValueKind.String || v.GetValue<string>() != "All"))
            {
                throw ApiException.BadRequest("DeleteOptions.dryRun must be a list whose only supported value is \"All\"");
            }
            dryRun |= list.Count > 0;
        }
        var preconditions = options?["preconditions"] is null ? null : options["preconditions"] as JsonObject ?? throw ApiException.BadRequest("DeleteOptions.preconditions must be an object");
        var grace = options?["gracePeriodSeconds"] switch
        {
            null => long.TryParse(query["gracePeriodSeconds"].ToString(), out var fromQuery) ? fromQuery : (long?)null,
            JsonValue v when v.TryGetValue<long>(out var seconds) => seconds,
            _ => throw ApiException.BadRequest("DeleteOptions.gracePeriodSeconds must be an integer"),
        };
        if (grace < 0) throw ApiException.BadRequest("DeleteOptions.gracePeriodSeconds must not be negative");
        return new DeleteOptions(policy, Text(preconditions, "uid"), Text(preconditions, "resourceVersion"), dryRun, grace);
    }

    public static JsonNode? ParseJson(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            return JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"couldn't decode the request body as JSON: {e.Message}");
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static string? Text(JsonObject? obj, string field) => obj?[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw ApiException.BadRequest($"DeleteOptions.{field} must be a string"),
    };
}
