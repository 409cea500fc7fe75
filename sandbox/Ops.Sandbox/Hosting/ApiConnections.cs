using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Ops.Sandbox.Hosting;

/// <summary>
/// The API server's open client connections, so that a restart of the API server can be played: every
/// connection cut at once, and new ones cut as they arrive until the server is "back".
/// </summary>
internal sealed class ApiConnections
{
    private readonly ConcurrentDictionary<string, ConnectionContext> _open = new(StringComparer.Ordinal);
    private volatile bool _refusing;

    public ConnectionDelegate Track(ConnectionDelegate next) => async connection =>
    {
        if (_refusing)
        {
            connection.Abort(new ConnectionAbortedException("the API server is down"));
            return;
        }
        _open[connection.ConnectionId] = connection;
        try
        {
            await next(connection);
        }
        finally
        {
            _open.TryRemove(connection.ConnectionId, out _);
        }
    };

    /// <summary>Cuts every open connection and every new one until <see cref="Accept"/>.</summary>
    public void CutAll()
    {
        _refusing = true;
        foreach (var connection in _open.Values)
        {
            connection.Abort(new ConnectionAbortedException("the API server is restarting"));
        }
    }

    public void Accept() => _refusing = false;
}
