using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Ops.ControllerRuntime.Informers;

/// <summary>
/// One watch request, read line by line. KubernetesClient's watch helpers cannot serve an informer:
/// the call does not return before the first event arrives (it peeks a line to fill the response
/// body), and when cancelled it stops waiting but leaves its read pending, so the connection (and
/// the API server's watch) stays open until the server's timeout. Here the request returns with the
/// headers, the read itself is cancelled and the response disposed, which closes the connection.
/// </summary>
public static class WatchStream
{
    public static async IAsyncEnumerable<(WatchEventType Type, T Object)> ReadAsync<T>(Kubernetes client, string path, WatchQuery query, Action onOpened, Action<Exception> onError,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{client.BaseUri.ToString().TrimEnd('/')}/{path}?{query}");
        if (client.Credentials is { } credentials) await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        using var response = await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode) throw await FailureAsync(response, cancellationToken);
        onOpened();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(body);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0) continue;
            var (type, obj, error) = Parse<T>(line);
            if (error is not null)
            {
                onError(error);
                yield break;
            }
            yield return (type, obj!);
        }
    }

    private static async Task<KubernetesException> FailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        V1Status? status = null;
        try
        {
            status = KubernetesJson.Deserialize<V1Status>(text);
        }
        catch (JsonException)
        {
        }
        return new KubernetesException(status is { Code: not null }
            ? status
            : new V1Status { Code = (int)response.StatusCode, Status = "Failure", Message = $"watch answered {(int)response.StatusCode} {response.ReasonPhrase}: {Truncate(text)}" });
    }

    private static (WatchEventType Type, T? Object, Exception? Error) Parse<T>(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var type = KubernetesJson.Deserialize<WatchEventType>(root.GetProperty("type"));
            var obj = root.GetProperty("object");
            if (type == WatchEventType.Error || obj.TryGetProperty("kind", out var kind) && kind.ValueEquals("Status"))
            {
                return (type, default, new KubernetesException(KubernetesJson.Deserialize<V1Status>(obj)));
            }
            return (type, KubernetesJson.Deserialize<T>(obj), null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (default, default, new InvalidDataException($"unreadable watch event ({e.Message}): {Truncate(line)}", e));
        }
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
