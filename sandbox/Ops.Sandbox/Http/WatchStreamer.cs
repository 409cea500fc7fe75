using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Ops.Sandbox.Api;
using Ops.Sandbox.Storage;
using Ops.Sandbox.Tables;

namespace Ops.Sandbox.Http;

/// <summary>
/// Streams a watch as newline-delimited JSON events, ending at timeoutSeconds (or a random 30 to 60
/// minutes, as an API server does), when the client goes, after an ERROR event, or when the server
/// stops (a stopping API server ends its watches; the host would otherwise wait out its shutdown timeout).
/// </summary>
internal sealed class WatchStreamer(ResourceService service, TimeProvider clock, IHostApplicationLifetime lifetime)
{
    private static readonly byte[] Newline = "\n"u8.ToArray();

    public async Task StreamAsync(HttpContext context, RequestScope scope, ListOptions options)
    {
        var query = context.Request.Query;
        var timeoutText = query["timeoutSeconds"].ToString();
        var timeout = TimeSpan.FromSeconds(1800 + Random.Shared.Next(1800));
        if (timeoutText.Length > 0)
        {
            if (!int.TryParse(timeoutText, out var seconds) || seconds < 0) throw ApiException.BadRequest($"invalid timeoutSeconds: \"{timeoutText}\"");
            timeout = TimeSpan.FromSeconds(seconds);
        }
        var asTable = context.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);
        var watcher = service.Watch(scope, options, QueryOptions.Flag(query, "allowWatchBookmarks"), QueryOptions.Flag(query, "sendInitialEvents"));
        try
        {
            var response = context.Response;
            response.StatusCode = 200;
            response.ContentType = ResponseWriter.Json;
            await response.StartAsync(context.RequestAborted);
            await response.Body.FlushAsync(context.RequestAborted);
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            using var timer = clock.CreateTimer(_ => ended.Cancel(), null, timeout, Timeout.InfiniteTimeSpan);
            await foreach (var change in watcher.Events.ReadAllAsync(ended.Token).WithCancellation(ended.Token))
            {
                await response.Body.WriteAsync(Encode(change, scope.Type, asTable), ended.Token);
                await response.Body.WriteAsync(Newline, ended.Token);
                await response.Body.FlushAsync(ended.Token);
                if (change.Type == WatchEvent.ErrorType) break;
            }
        }
        catch (OperationCanceledException)
        {
            // Timeout, client gone or server stopping: the stream just ends, as on a real server.
        }
        finally
        {
            service.Store.StopWatching(watcher);
        }
    }

    private byte[] Encode(WatchEvent change, ResourceType type, bool asTable)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions.Writer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", change.Type);
            writer.WritePropertyName("object");
            switch (change)
            {
                case { Type: WatchEvent.ErrorType, Error: { } error }:
                    error.WriteTo(writer);
                    break;
                case { Type: WatchEvent.Bookmark }:
                    Bookmark(type, change).WriteTo(writer);
                    break;
                case { Object: { } obj } when asTable:
                    TableBuilder.Build(type, [service.RenderObject(obj, type)], obj.ResourceVersion.ToString(), null, "Metadata", service.Now).WriteTo(writer);
                    break;
                case { Object: { } obj }:
                    writer.WriteRawValue(service.Render(obj, type), skipInputValidation: true);
                    break;
            }
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static JsonObject Bookmark(ResourceType type, WatchEvent change)
    {
        var metadata = new JsonObject { ["resourceVersion"] = change.ResourceVersion.ToString() };
        if (change.InitialEventsEnd) metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        return new JsonObject { ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersion, ["metadata"] = metadata };
    }

}
