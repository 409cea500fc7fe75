using System.IO.Pipelines;

namespace Ops.Sandbox.PortForward;

/// <summary>One stream of a SPDY connection, opened by the peer: its headers, what the peer sends (until its FIN), and a way to answer.</summary>
internal sealed class SpdyStream(SpdyConnection connection, int id, IReadOnlyDictionary<string, string> headers)
{
    private const int MaxFrame = 32 * 1024;
    private readonly Pipe _incoming = new();
    private int _closed;

    public int Id => id;
    public IReadOnlyDictionary<string, string> Headers => headers;

    /// <summary>What the peer sends on this stream; ends at its FIN or a reset.</summary>
    public Stream Input => _incoming.Reader.AsStream();

    internal async Task ReceiveAsync(byte[] data, bool fin, CancellationToken cancellationToken)
    {
        if (data.Length > 0) await _incoming.Writer.WriteAsync(data, cancellationToken);
        if (fin) await _incoming.Writer.CompleteAsync();
    }

    internal void Reset() => _incoming.Writer.Complete(new IOException($"the peer reset SPDY stream {id}"));

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < data.Length; offset += MaxFrame)
        {
            await connection.SendDataAsync(id, data.Slice(offset, Math.Min(MaxFrame, data.Length - offset)), fin: false, cancellationToken);
        }
    }

    /// <summary>Half-closes this side (an empty data frame with FIN), once.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0) await connection.SendDataAsync(id, ReadOnlyMemory<byte>.Empty, fin: true, cancellationToken);
    }
}
