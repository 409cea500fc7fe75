using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.PortForward;

/// <summary>
/// pods/NAME/portforward, as kubectl port-forward (1.31 and later) reaches it: a WebSocket with the subprotocol
/// SPDY/3.1+portforward.k8s.io that tunnels a SPDY connection, or, the fallback of older clients, an HTTP/1.1
/// upgrade to SPDY/3.1. Either way the pod must be running with an IP; each forwarded connection goes to that IP.
/// The WebSocket handshake is answered here: ASP.NET Core refuses a subprotocol with a '/', which Kubernetes uses.
/// </summary>
internal static class PortForwardEndpoint
{
    public const string Protocol = "portforward.k8s.io";
    public const string TunnelProtocol = "SPDY/3.1+" + Protocol;
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public static async Task HandleAsync(HttpContext context, JsonObject pod, string name)
    {
        if ((string?)pod["status"]?["phase"] != "Running" || !IPAddress.TryParse((string?)pod["status"]?["podIP"], out var ip))
        {
            throw ApiException.BadRequest($"unable to forward port because pod is not running. Current status={(string?)pod["status"]?["phase"] ?? "Unknown"}");
        }
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var wanted = context.Request.Headers.Upgrade.ToString();
        if (upgrade is not { IsUpgradableRequest: true })
        {
            throw ApiException.BadRequest($"pods/{name}/portforward is a streaming connection: upgrade to SPDY/3.1 or open a WebSocket with {TunnelProtocol} over HTTP/1.1");
        }
        var session = new PortForwardSession(ip);
        if (wanted.Equals("websocket", StringComparison.OrdinalIgnoreCase))
        {
            var protocols = context.Request.Headers.SecWebSocketProtocol.ToString().Split(',', StringSplitOptions.TrimEntries);
            if (!protocols.Contains(TunnelProtocol))
            {
                throw ApiException.BadRequest($"pods/{name}/portforward over a WebSocket needs the subprotocol {TunnelProtocol} (kubectl 1.31 and later); the sandbox serves no other");
            }
            var key = context.Request.Headers.SecWebSocketKey.ToString();
            context.Response.Headers.Upgrade = "websocket";
            // RFC 6455 fixes SHA-1 for the accept key: it proves the handshake was read, it protects nothing.
#pragma warning disable CA5350
            context.Response.Headers.SecWebSocketAccept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
#pragma warning restore CA5350
            context.Response.Headers.SecWebSocketProtocol = TunnelProtocol;
            await using var raw = await upgrade.UpgradeAsync();
            using var socket = WebSocket.CreateFromStream(raw, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(30) });
            await using var tunnel = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: false);
            await RunAsync(tunnel, session, context.RequestAborted);
            return;
        }
        if (!wanted.Contains("SPDY/3.1", StringComparison.OrdinalIgnoreCase))
        {
            throw ApiException.BadRequest($"pods/{name}/portforward is a streaming connection: upgrade to SPDY/3.1 or open a WebSocket with {TunnelProtocol}");
        }
        context.Response.Headers.Upgrade = "SPDY/3.1";
        context.Response.Headers["X-Stream-Protocol-Version"] = Protocol;
        await using var connection = await upgrade.UpgradeAsync();
        await RunAsync(connection, session, context.RequestAborted);
    }

    private static async Task RunAsync(Stream transport, PortForwardSession session, CancellationToken cancellationToken)
    {
        using var spdy = new SpdyConnection(transport, session.OnStreamAsync);
        await spdy.RunAsync(cancellationToken);
    }
}
