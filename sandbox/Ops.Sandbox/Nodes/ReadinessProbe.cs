using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Ops.Sandbox.Nodes;

/// <summary>
/// A container's readiness probe, run as a kubelet runs it: tcpSocket succeeds when the port accepts a
/// connection, httpGet when GET of its path answers 200-399, exec when the command exits 0 in the container
/// (through the runtime: ExecSync under containerd); ready after one success, not ready after failureThreshold
/// (3) failures in a row, every periodSeconds (10). Until the first success it probes every 200 ms (the
/// sandbox's shortcut, so pods start fast), and an HTTPS probe checks the certificate (a kubelet does not; no
/// sandbox pod probes over HTTPS). Ready at once without a probe.
/// </summary>
internal sealed class ReadinessProbe(JsonObject? probe, string podIp, TimeProvider clock)
{
    private static readonly TimeSpan UntilReady = TimeSpan.FromMilliseconds(200);

    public async Task RunAsync(ContainerRuntime container, IContainerProcess process, Action changed, CancellationToken cancellationToken)
    {
        if (probe is null)
        {
            container.BecameReady(clock.GetUtcNow());
            changed();
            return;
        }
        var period = TimeSpan.FromSeconds(Math.Max(1, (int?)probe["periodSeconds"] ?? 10));
        var timeout = TimeSpan.FromSeconds(Math.Max(1, (int?)probe["timeoutSeconds"] ?? 1));
        var failureThreshold = Math.Max(1, (int?)probe["failureThreshold"] ?? 3);
        var failures = 0;
        var readyOnce = false;
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = timeout };
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var ok = await ProbeOnceAsync(http, process, timeout, cancellationToken);
                var was = container.Ready;
                if (ok)
                {
                    failures = 0;
                    readyOnce = true;
                    if (!was) container.BecameReady(clock.GetUtcNow());
                }
                else if (was && ++failures >= failureThreshold)
                {
                    container.BecameUnready(clock.GetUtcNow());
                }
                if (was != container.Ready) changed();
                await Task.Delay(readyOnce ? period : UntilReady, clock, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> ProbeOnceAsync(HttpClient http, IContainerProcess process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            if (probe!["httpGet"] is JsonObject get)
            {
                var scheme = ((string?)get["scheme"] ?? "HTTP").ToLowerInvariant();
                var path = (string?)get["path"] ?? "/";
                using var response = await http.GetAsync(new Uri($"{scheme}://{podIp}:{(int)get["port"]!}{(path.StartsWith('/') ? path : "/" + path)}"), cancellationToken);
                return (int)response.StatusCode is >= 200 and < 400;
            }
            if (probe["tcpSocket"]?["port"] is JsonNode port)
            {
                using var client = new TcpClient();
                await client.ConnectAsync(podIp, (int)port, cancellationToken);
                return true;
            }
            if (probe["exec"]?["command"] is JsonArray command)
            {
                return await process.ExecAsync([.. command.Select(c => (string?)c ?? "")], timeout, cancellationToken) == 0;
            }
            return true;
        }
        catch (Exception e) when (e is SocketException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
