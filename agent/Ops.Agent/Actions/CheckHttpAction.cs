using System.Diagnostics;

namespace Ops.Agent.Actions;

/// <summary>
/// check.http: an HTTP GET answers with an expected status (default 200-399). The URL is the url
/// parameter, or http://POD_IP:port/path for pod targets. Redirects are not followed.
/// </summary>
public sealed class CheckHttpAction : IAgentAction, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

    public string Name => "check.http";

    public IReadOnlyList<string> Parameters => ["url", "scheme", "port", "path", "expectStatus", "timeoutMs"];

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var url = Url(context);
        var (low, high) = Expected(context.Optional("expectStatus") ?? "200-399");
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromMilliseconds(context.Integer("timeoutMs", 5000, 1, 60_000)));
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            var code = (int)response.StatusCode;
            return code >= low && code <= high
                ? ActionOutcome.Success($"GET {url} -> {code} in {watch.ElapsedMilliseconds} ms")
                : ActionOutcome.Failure($"GET {url} returned {code}, expected {low}-{high}", exitCode: code);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ActionOutcome.Failure($"GET {url} did not answer in time");
        }
        catch (HttpRequestException e)
        {
            return ActionOutcome.Failure($"GET {url} failed: {e.Message}");
        }
    }

    private static Uri Url(ActionContext context)
    {
        if (context.Optional("url") is { } text)
        {
            return Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                ? url
                : throw new ActionParameterException($"parameter \"url\" must be an absolute http or https URL, not \"{text}\"");
        }
        if (context.Target.PodIp is not { Length: > 0 } ip) throw new ActionParameterException("parameter \"url\" is required for a target without a pod IP");
        var port = context.Integer("port", 80, 1, 65535);
        var path = context.Optional("path") ?? "/";
        if (!path.StartsWith('/')) throw new ActionParameterException("parameter \"path\" must start with /");
        var scheme = context.Optional("scheme") ?? "http";
        if (scheme is not ("http" or "https")) throw new ActionParameterException("parameter \"scheme\" must be http or https");
        return new Uri($"{scheme}://{ip}:{port}{path}");
    }

    private static (int Low, int High) Expected(string text)
    {
        var parts = text.Split('-');
        return parts.Length is 1 or 2 && int.TryParse(parts[0], out var low) && int.TryParse(parts[^1], out var high) && low is >= 100 and <= 599 && high >= low && high <= 599
            ? (low, high)
            : throw new ActionParameterException($"parameter \"expectStatus\" must be a status or a range such as 200-399, not \"{text}\"");
    }

    public void Dispose() => _http.Dispose();
}
