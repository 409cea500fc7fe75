using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Http;

internal static class ResponseWriter
{
    public const string Json = "application/json";

    public static Task WriteAsync(HttpContext context, int code, JsonNode body, IEnumerable<string>? warnings = null) =>
        WriteAsync(context, code, JsonSerializer.SerializeToUtf8Bytes(body, JsonOptions.Wire), warnings);

    public static async Task WriteAsync(HttpContext context, int code, byte[] body, IEnumerable<string>? warnings = null)
    {
        var response = context.Response;
        response.StatusCode = code;
        response.ContentType = Json;
        foreach (var warning in warnings ?? [])
        {
            // RFC 7234 warn-text: a quoted string with quotes and backslashes escaped.
            response.Headers.Append("Warning", $"299 - \"{warning.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"");
        }
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>A list written from stored bytes without re-parsing the items.</summary>
    public static async Task WriteListAsync(HttpContext context, string kind, string apiVersion, long resourceVersion, string? continueToken, long? remaining, IEnumerable<byte[]> items)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions.Writer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", kind);
            writer.WriteString("apiVersion", apiVersion);
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", resourceVersion.ToString());
            if (continueToken is not null) writer.WriteString("continue", continueToken);
            if (remaining is not null) writer.WriteNumber("remainingItemCount", remaining.Value);
            writer.WriteEndObject();
            writer.WriteStartArray("items");
            foreach (var item in items) writer.WriteRawValue(item, skipInputValidation: true);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        await WriteAsync(context, 200, buffer.ToArray());
    }
}
