using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace Ops.Sandbox.PortForward;

/// <summary>
/// The server side of a SPDY/3.1 connection as Kubernetes' streaming protocols use it (over an upgraded HTTP/1.1
/// connection or tunnelled in a WebSocket): the peer opens streams (SYN_STREAM, answered with SYN_REPLY), sends data
/// and FINs on them, pings, and goes away; this side answers on the peer's streams. Flow control is not enforced,
/// as Kubernetes' spdystream does not enforce it either.
/// </summary>
internal sealed class SpdyConnection(Stream transport, Func<SpdyStream, Task> onStream) : IDisposable
{
    private const ushort Version = 3;
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly SpdyHeaderCompression _headers = new();
    private readonly ConcurrentDictionary<int, SpdyStream> _streams = new();
    private readonly List<Task> _handlers = [];

    /// <summary>Reads frames until the peer goes away or the transport ends; then waits for the streams' handlers.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var head = new byte[8];
        try
        {
            while (await ReadHeadAsync(head, cancellationToken))
            {
                var length = head[5] << 16 | head[6] << 8 | head[7];
                var payload = new byte[length];
                await transport.ReadExactlyAsync(payload, cancellationToken);
                var flags = head[4];
                if ((head[0] & 0x80) == 0)
                {
                    if (_streams.TryGetValue(ReadId(head), out var stream)) await stream.ReceiveAsync(payload, (flags & 1) != 0, cancellationToken);
                    continue;
                }
                if (!await ControlAsync(BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(2)), flags, payload, cancellationToken)) break;
            }
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or InvalidDataException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            // The peer went away (kubectl stopped) or broke the protocol: either way the connection is over.
        }
        foreach (var stream in _streams.Values) stream.Reset();
        Task[] handlers;
        lock (_handlers) handlers = [.. _handlers];
        await Task.WhenAll(handlers);
    }

    private async Task<bool> ControlAsync(ushort type, byte flags, byte[] payload, CancellationToken cancellationToken)
    {
        switch (type)
        {
            case 1: // SYN_STREAM: id, associated id, priority and slot, header block
                var id = ReadId(payload);
                var stream = new SpdyStream(this, id, await _headers.ReadAsync(payload[10..], cancellationToken));
                _streams[id] = stream;
                await SendControlAsync(2, 0, [.. Id(id), .. _headers.Write(new Dictionary<string, string>())], cancellationToken);
                if ((flags & 1) != 0) await stream.ReceiveAsync([], fin: true, cancellationToken);
                lock (_handlers) _handlers.Add(Task.Run(() => onStream(stream), CancellationToken.None));
                return true;
            case 2 or 8: // SYN_REPLY, HEADERS: read to keep the compression state in step
                await _headers.ReadAsync(payload[4..], cancellationToken);
                return true;
            case 3: // RST_STREAM
                if (_streams.TryRemove(ReadId(payload), out var reset)) reset.Reset();
                return true;
            case 6: // PING: echoed
                await SendControlAsync(6, 0, payload, cancellationToken);
                return true;
            case 7: // GOAWAY
                return false;
            default: // SETTINGS, WINDOW_UPDATE, and anything newer
                return true;
        }
    }

    public Task SendDataAsync(int id, ReadOnlyMemory<byte> data, bool fin, CancellationToken cancellationToken)
    {
        var frame = new byte[8 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, id & 0x7fffffff);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), (fin ? 1 : 0) << 24 | data.Length);
        data.CopyTo(frame.AsMemory(8));
        return WriteFrameAsync(frame, cancellationToken);
    }

    private Task SendControlAsync(ushort type, byte flags, byte[] payload, CancellationToken cancellationToken)
    {
        var frame = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, 0x8000 | Version);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), type);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), flags << 24 | payload.Length);
        payload.CopyTo(frame.AsSpan(8));
        return WriteFrameAsync(frame, cancellationToken);
    }

    private async Task WriteFrameAsync(byte[] frame, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            await transport.WriteAsync(frame, cancellationToken);
            await transport.FlushAsync(cancellationToken);
        }
        finally
        {
            _writes.Release();
        }
    }

    private async Task<bool> ReadHeadAsync(byte[] head, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < head.Length)
        {
            var n = await transport.ReadAsync(head.AsMemory(read), cancellationToken);
            if (n == 0) return read == 0 ? false : throw new EndOfStreamException("the SPDY connection ended inside a frame");
            read += n;
        }
        return true;
    }

    private static int ReadId(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadInt32BigEndian(bytes) & 0x7fffffff;

    private static byte[] Id(int id)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, id);
        return bytes;
    }

    public void Dispose()
    {
        _headers.Dispose();
        _writes.Dispose();
    }
}
