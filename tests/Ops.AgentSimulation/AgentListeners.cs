using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Ops.AgentSimulation;

/// <summary>
/// A Kestrel transport for thousands of simulated agents: one Kestrel endpoint whose connections
/// come from a listening socket per agent address, added and removed while the server runs (Kestrel
/// binds its endpoints once, at start). A connection's local address says which agent it is for.
/// </summary>
internal sealed class AgentListeners(ILoggerFactory loggers) : IConnectionListenerFactory, IConnectionListenerFactorySelector, IConnectionListener
{
    private readonly ConcurrentDictionary<IPEndPoint, Listener> _listeners = new();
    private readonly Channel<Socket> _accepted = Channel.CreateUnbounded<Socket>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly ILogger _logger = loggers.CreateLogger<AgentListeners>();
    private readonly SocketConnectionContextFactory _connections = new(new SocketConnectionFactoryOptions(), loggers.CreateLogger<AgentListeners>());

    /// <summary>The one endpoint Kestrel binds: every agent address behind it.</summary>
    public sealed class AllAgents : EndPoint
    {
        public override string ToString() => "simulated-agents";
    }

    public EndPoint EndPoint { get; } = new AllAgents();

    public int Count => _listeners.Count;

    /// <summary>Starts accepting connections on the address (throws when it is in use).</summary>
    public void Add(IPEndPoint address)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(address);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var listener = new Listener(socket);
        if (!_listeners.TryAdd(address, listener))
        {
            socket.Dispose();
            throw new InvalidOperationException($"a simulated agent listens on {address} already");
        }
        _ = AcceptAsync(listener);
    }

    /// <summary>Stops listening on the address and cuts its open connections, as a process that exits does.</summary>
    public void Remove(IPEndPoint address)
    {
        if (!_listeners.TryRemove(address, out var listener)) return;
        listener.Dispose();
    }

    private async Task AcceptAsync(Listener listener)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.Socket.AcceptAsync(listener.Stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            socket.NoDelay = true;
            if (!listener.Track(socket) || !_accepted.Writer.TryWrite(socket)) socket.Dispose();
        }
    }

    public bool CanBind(EndPoint endpoint) => endpoint is AllAgents;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        endpoint is AllAgents ? ValueTask.FromResult<IConnectionListener>(this) : throw new NotSupportedException($"{endpoint} is not the simulated agents' endpoint");

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await _accepted.Reader.WaitToReadAsync(cancellationToken))
        {
            if (!_accepted.Reader.TryRead(out var socket)) continue;
            try
            {
                return _connections.Create(socket);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Cut between accept and now (its agent stopped): the next one.
                _logger.LogDebug("Dropped a connection closed before it was served: {Error}", e.Message);
            }
        }
        return null;
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _accepted.Writer.TryComplete();
        foreach (var address in _listeners.Keys) Remove(address);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await UnbindAsync();
        _connections.Dispose();
    }

    /// <summary>One agent's listening socket and the connections accepted on it.</summary>
    private sealed class Listener(Socket socket) : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Socket> _open = [];

        public Socket Socket => socket;
        public CancellationToken Stopping => _stop.Token;

        public bool Track(Socket accepted)
        {
            lock (_open)
            {
                if (_stop.IsCancellationRequested) return false;
                _open.RemoveAll(s => !s.Connected);
                _open.Add(accepted);
                return true;
            }
        }

        public void Stop()
        {
            lock (_open)
            {
                _stop.Cancel();
                socket.Dispose();
                foreach (var open in _open)
                {
                    try
                    {
                        // A reset, as a killed process's connections get: the client sees the agent go.
                        open.LingerState = new LingerOption(true, 0);
                        open.Close();
                    }
                    catch (ObjectDisposedException)
                    {
                    }
                }
                _open.Clear();
            }
        }

        public void Dispose()
        {
            Stop();
            _stop.Dispose();
        }
    }
}
