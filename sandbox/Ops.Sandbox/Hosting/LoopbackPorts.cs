using System.Net;
using System.Net.Sockets;

namespace Ops.Sandbox.Hosting;

/// <summary>Free ports on the loopback, for servers of the sandbox world that need a known port.</summary>
public static class LoopbackPorts
{
    /// <summary>A port free right now on 127.0.0.1, for servers that must keep one port across restarts.</summary>
    public static int Free() => Free([IPAddress.Loopback]);

    /// <summary>
    /// A port free right now on every one of <paramref name="addresses"/> (the nodes' addresses, for a
    /// server each node runs on the same port): a port free on 127.0.0.1 may be taken on 127.0.0.11.
    /// </summary>
    public static int Free(IReadOnlyList<IPAddress> addresses)
    {
        ArgumentOutOfRangeException.ThrowIfZero(addresses.Count);
        for (var attempt = 0; ; attempt++)
        {
            using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            first.Bind(new IPEndPoint(addresses[0], 0));
            var port = ((IPEndPoint)first.LocalEndPoint!).Port;
            if (addresses.Skip(1).All(address => CanBind(address, port))) return port;
            if (attempt == 100) throw new InvalidOperationException($"no port is free on all of {string.Join(", ", addresses)}");
        }
    }

    private static bool CanBind(IPAddress address, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
