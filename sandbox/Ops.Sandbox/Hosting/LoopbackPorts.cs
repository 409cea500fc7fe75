using System.Net;
using System.Net.Sockets;

namespace Ops.Sandbox.Hosting;

/// <summary>Free ports on the loopback, for servers of the sandbox world that need a known port.</summary>
public static class LoopbackPorts
{
    /// <summary>A loopback port free right now, for servers that must keep one port across restarts.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
