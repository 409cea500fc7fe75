using System.Diagnostics;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>
/// check.http: an HTTP GET answers with an expected status (default 200-399). The URL is the url
/// parameter, or http://POD_IP:port/path for pod targets. Redirects are not followed.
/// </summary>
public sealed class CheckHttpAction : IAgentAction, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

    public ActionDefinition Definition => ActionCatalogue.CheckHttp.Definition;

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var url = Url(context);
        var (low, high) = ActionCatalogue.CheckHttp.StatusRange(context.Required(ActionCatalogue.CheckHttp.ExpectStatus));
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromMilliseconds(context.Integer(ActionCatalogue.CheckHttp.TimeoutMs)));
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
        if (context.Text(ActionCatalogue.CheckHttp.Url) is { } url) return new Uri(url);
        if (context.Target.PodIp is not { Length: > 0 } ip) throw new ActionParameterException("parameter \"url\" is required for a target without a pod IP");
        var port = context.Integer(ActionCatalogue.CheckHttp.Port);
        var path = context.Required(ActionCatalogue.CheckHttp.Path);
        var scheme = context.Required(ActionCatalogue.CheckHttp.Scheme);
        return new Uri($"{scheme}://{ip}:{port}{path}");
    }

    public void Dispose() => _http.Dispose();
}
