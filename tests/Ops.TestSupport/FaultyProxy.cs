using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Ops.TestSupport;

/// <summary>
/// A TCP proxy that can make the network between two peers bad: it forwards every connection to
/// <c>upstream</c> byte for byte (TLS passes through untouched), and on request delays each chunk,
/// stalls (holds every byte, keeping the connections open, until resumed), or drops (resets every
/// open connection, and while dropping refuses new ones by resetting them at once).
/// </summary>
public sealed class FaultyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, Socket> _open = new();
    private readonly Task _accepting;
    private volatile TaskCompletionSource _flowing = Flowing();
    private long _delayTicks;
    private volatile bool _refusing;
    private long _resets;

    public FaultyProxy(IPEndPoint listen, IPEndPoint upstream)
    {
        _upstream = upstream;
        _listener = new TcpListener(listen);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Endpoint = (IPEndPoint)_listener.LocalEndpoint;
        _accepting = AcceptAsync();
    }

    public IPEndPoint Endpoint { get; }

    /// <summary>Connections reset by <see cref="Drop"/> or refused while dropping.</summary>
    public long Resets => Interlocked.Read(ref _resets);

    /// <summary>Each chunk waits this long before it is forwarded (both ways).</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    /// <summary>Holds every byte from now on; the connections stay open.</summary>
    public void Stall()
    {
        if (_flowing.Task.IsCompleted) _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Forwards again, the held bytes first.</summary>
    public void Resume() => _flowing.TrySetResult();

    /// <summary>Resets every open connection; with <paramref name="refuseNew"/>, new ones too until <see cref="Accept"/>.</summary>
    public void Drop(bool refuseNew = false)
    {
        _refusing = refuseNew;
        foreach (var (client, upstream) in _open)
        {
            if (!_open.TryRemove(client, out _)) continue;
            Interlocked.Increment(ref _resets);
            Reset(client);
            Reset(upstream);
        }
    }

    /// <summary>Accepts and forwards new connections again after <see cref="Drop"/>.</summary>
    public void Accept() => _refusing = false;

    private static TaskCompletionSource Flowing()
    {
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        flowing.SetResult();
        return flowing;
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            if (_refusing)
            {
                Interlocked.Increment(ref _resets);
                Reset(client);
                continue;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var upstream = new Socket(_upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _open.TryAdd(client, upstream);
        try
        {
            await upstream.ConnectAsync(_upstream, _stopping.Token);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            await Task.WhenAny(PumpAsync(client, upstream, done.Token), PumpAsync(upstream, client, done.Token));
            await done.CancelAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            // One side ended or failed: the other is reset, as a middlebox that lost the flow would.
            _open.TryRemove(client, out _);
            Reset(client);
            Reset(upstream);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0) return;
                await _flowing.Task.WaitAsync(cancellationToken);
                if (Delay > TimeSpan.Zero) await Task.Delay(Delay, cancellationToken);
                await _flowing.Task.WaitAsync(cancellationToken);
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            // Linger 0: close sends RST, so the peer sees the connection reset, not a clean end.
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        _flowing.TrySetResult();
        await _accepting;
        foreach (var (client, upstream) in _open)
        {
            Reset(client);
            Reset(upstream);
        }
        _stopping.Dispose();
    }
}
