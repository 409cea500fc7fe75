using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ops.Sandbox.PortForward;

/// <summary>
/// The portforward.k8s.io protocol over one SPDY connection, as a kubelet serves it: for each forwarded connection
/// the client opens an error stream and a data stream with the same requestID and the pod's port; the data stream is
/// joined to a TCP connection to the pod's IP and that port, and a failure to connect is written on the error stream.
/// </summary>
internal sealed class PortForwardSession(IPAddress podIp)
{
    private readonly ConcurrentDictionary<string, (SpdyStream? Error, SpdyStream? Data)> _pairs = new(StringComparer.Ordinal);

    public async Task OnStreamAsync(SpdyStream stream)
    {
        var type = stream.Headers.GetValueOrDefault("streamtype") ?? "";
        var request = stream.Headers.GetValueOrDefault("requestid") ?? stream.Headers.GetValueOrDefault("port") ?? "";
        var pair = _pairs.AddOrUpdate(request, _ => type == "error" ? (stream, null) : (null, stream), (_, p) => type == "error" ? (stream, p.Data) : (p.Error, stream));
        if (pair is not { Error: { } error, Data: { } data }) return;
        _pairs.TryRemove(request, out _);
        await ForwardAsync(error, data);
    }

    private async Task ForwardAsync(SpdyStream error, SpdyStream data)
    {
        using var lifetime = new CancellationTokenSource(TimeSpan.FromHours(4));
        var token = lifetime.Token;
        if (!int.TryParse(data.Headers.GetValueOrDefault("port"), out var port) || port is < 1 or > 65535)
        {
            await FailAsync(error, data, $"invalid port header: \"{data.Headers.GetValueOrDefault("port")}\"", token);
            return;
        }
        using var socket = new Socket(podIp.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(podIp, port, token);
        }
        catch (SocketException e)
        {
            await FailAsync(error, data, $"error forwarding port {port} to pod at {podIp}: failed to connect to localhost:{port} inside namespace: {e.Message}", token);
            return;
        }
        await using var network = new NetworkStream(socket, ownsSocket: false);
        var toPod = Task.Run(async () =>
        {
            try
            {
                await data.Input.CopyToAsync(network, token);
            }
            catch (IOException)
            {
            }
            socket.Shutdown(SocketShutdown.Send);
        }, token);
        var buffer = new byte[32 * 1024];
        try
        {
            int read;
            while ((read = await network.ReadAsync(buffer, token)) > 0) await data.WriteAsync(buffer.AsMemory(0, read), token);
        }
        catch (IOException)
        {
        }
        await data.CloseAsync(token);
        await toPod.WaitAsync(TimeSpan.FromSeconds(30), token).ContinueWith(_ => { }, TaskScheduler.Default);
        await error.CloseAsync(token);
    }

    private static async Task FailAsync(SpdyStream error, SpdyStream data, string message, CancellationToken cancellationToken)
    {
        await error.WriteAsync(Encoding.UTF8.GetBytes(message), cancellationToken);
        await error.CloseAsync(cancellationToken);
        await data.CloseAsync(cancellationToken);
    }
}
