using System.Diagnostics;
using System.Net.Sockets;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>
/// check.http: an HTTP GET answers with an expected status (default 200-399). The URL is the url
/// parameter, or http://POD_IP:port/path for pod targets; for a pod target the URL's host must be that
/// pod (<see cref="CheckDestination"/>). The connection goes to the address that was checked, never
/// through a proxy, and redirects are not followed: each would be a way to somewhere else.
/// </summary>
public sealed class CheckHttpAction : IAgentAction
{
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
            var address = await CheckDestination.ResolveAsync(Definition.Name, context.Target, url.DnsSafeHost, attempt.Token);
            // One connection per check, to the checked address: a pooled connection opened for another check could lead elsewhere.
            using var http = new HttpClient(new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = async (connection, token) =>
                {
                    var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(address, connection.DnsEndPoint.Port, token);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            });
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
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
        var host = System.Net.IPAddress.TryParse(ip, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip;
        return new Uri($"{scheme}://{host}:{port}{path}");
    }
}
