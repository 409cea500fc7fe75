using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Ops.Sandbox.Api;
using Ops.Sandbox.Nodes;

namespace Ops.Sandbox.Http;

/// <summary>
/// GET pods/NAME/log, as <c>kubectl logs</c> uses it: the container's output as plain text, with
/// <c>container</c> (needed when the pod has several), <c>previous</c>, <c>sinceSeconds</c> or <c>sinceTime</c>,
/// <c>timestamps</c>, <c>tailLines</c>, <c>limitBytes</c> and <c>follow</c> (until the client leaves or the
/// container's log is closed with its pod).
/// </summary>
internal sealed class PodLogs(ResourceService service, Kubelet kubelet, TimeProvider clock)
{
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(200);

    public async Task WriteAsync(HttpContext context, RequestScope scope)
    {
        var stored = service.Get(scope);
        var pod = stored.Parse();
        var query = context.Request.Query;
        var names = (pod["spec"]?["containers"] as JsonArray ?? []).Select(c => (string?)c?["name"] ?? "").ToList();
        var container = query["container"].ToString();
        if (container.Length == 0)
        {
            if (names.Count != 1) throw ApiException.BadRequest($"a container name must be specified for pod {scope.Name}, choose one of: [{string.Join(' ', names)}]");
            container = names[0];
        }
        else if (!names.Contains(container))
        {
            throw ApiException.BadRequest($"container {container} is not valid for pod {scope.Name}");
        }
        var previous = QueryOptions.Flag(query, "previous");
        var tailLines = Number(query, "tailLines");
        var limitBytes = Number(query, "limitBytes");
        var source = kubelet.LogOf(stored, container, previous);
        if (previous && source is null) throw ApiException.BadRequest($"previous terminated container \"{container}\" in pod \"{scope.Name}\" not found");
        if (source is null || !File.Exists(source.Path)) throw ApiException.BadRequest($"container \"{container}\" in pod \"{scope.Name}\" is waiting to start: ContainerCreating");
        var path = source.Path;
        var decoder = new CriLogDecoder(source.CriFormat, QueryOptions.Flag(query, "timestamps"), Since(query));

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/plain";
        await using var log = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var text = decoder.Decode(await new StreamReader(log, Encoding.UTF8).ReadToEndAsync(context.RequestAborted));
        if (tailLines is { } tail) text = Tail(text, tail);
        var bytes = Encoding.UTF8.GetBytes(text);
        if (limitBytes is { } limit && bytes.Length > limit) bytes = bytes[..(int)Math.Min(limit, int.MaxValue)];
        await response.Body.WriteAsync(bytes, context.RequestAborted);
        if (!QueryOptions.Flag(query, "follow") || previous) return;
        try
        {
            await response.Body.FlushAsync(context.RequestAborted);
            var buffer = new byte[64 * 1024];
            var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
            var utf8 = Encoding.UTF8.GetDecoder();
            while (File.Exists(path))
            {
                var read = await log.ReadAsync(buffer, context.RequestAborted);
                if (read > 0)
                {
                    // Both decoders keep what a read cut in two: the UTF-8 one a character, the CRI one a line.
                    var count = utf8.GetChars(buffer, 0, read, chars, 0);
                    await response.Body.WriteAsync(Encoding.UTF8.GetBytes(decoder.Decode(new string(chars, 0, count))), context.RequestAborted);
                    await response.Body.FlushAsync(context.RequestAborted);
                }
                else
                {
                    await Task.Delay(FollowPoll, clock, context.RequestAborted);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client left: the stream just ends.
        }
    }

    /// <summary>The time before which lines are left out: sinceSeconds before now, or sinceTime (RFC 3339); at most one of them.</summary>
    private DateTimeOffset? Since(IQueryCollection query)
    {
        var seconds = Number(query, "sinceSeconds");
        var time = query["sinceTime"].ToString();
        if (seconds is not null && time.Length > 0) throw ApiException.BadRequest("at most one of `sinceTime` or `sinceSeconds` may be specified");
        if (seconds is { } s) return s == 0 ? throw ApiException.BadRequest("sinceSeconds: Invalid value: 0: must be greater than 0") : clock.GetUtcNow().AddSeconds(-s);
        if (time.Length == 0) return null;
        return DateTimeOffset.TryParse(time, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? at : throw ApiException.BadRequest($"sinceTime: Invalid value: \"{time}\": must be an RFC 3339 time");
    }

    private static long? Number(IQueryCollection query, string name)
    {
        var text = query[name].ToString();
        if (text.Length == 0) return null;
        return long.TryParse(text, out var value) && value >= 0 ? value : throw ApiException.BadRequest($"invalid {name}: \"{text}\": must be a non-negative integer");
    }

    private static string Tail(string text, long lines)
    {
        if (lines == 0) return "";
        var end = text.EndsWith('\n') ? text.Length - 1 : text.Length;
        var start = end;
        for (var seen = 0L; start > 0; start--)
        {
            if (text[start - 1] == '\n' && ++seen == lines) break;
        }
        return text[start..];
    }
}
