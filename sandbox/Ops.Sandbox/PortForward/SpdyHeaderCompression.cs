using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;

namespace Ops.Sandbox.PortForward;

/// <summary>
/// SPDY/3 header blocks: name/value pairs compressed as one zlib stream per direction and connection, with the
/// dictionary the SPDY/3 specification fixes. Reading: .NET's inflater takes no preset dictionary, so the reader
/// inflates a raw deflate stream that starts with the dictionary as a stored block followed by the peer's deflate
/// data, which is the same as inflating the peer's data with that dictionary preset. Writing: stored (uncompressed)
/// deflate blocks after a zlib header that names the dictionary, each block set ended by a sync flush, which every
/// zlib reader accepts.
/// </summary>
internal sealed class SpdyHeaderCompression : IDisposable
{
    private readonly Pipe _input = new();
    private readonly DeflateStream _inflater;
    private bool _readHeader;
    private bool _wroteHeader;

    public SpdyHeaderCompression()
    {
        var primed = new MemoryStream();
        WriteStoredBlock(primed, SpdyDictionary.Bytes);
        _inflater = new DeflateStream(new ConcatenatedStream(primed.ToArray(), _input.Reader.AsStream()), CompressionMode.Decompress);
        var skip = new byte[SpdyDictionary.Bytes.Length];
        // The dictionary comes out first; it is only there to be referred back to.
        _inflater.ReadExactly(skip);
    }

    /// <summary>The name/value pairs of one compressed header block (names lowercased, as SPDY/3 sends them).</summary>
    public async Task<Dictionary<string, string>> ReadAsync(byte[] block, CancellationToken cancellationToken)
    {
        var data = block.AsMemory();
        if (!_readHeader)
        {
            // zlib header (2 bytes) and, with FDICT, the dictionary's Adler-32 (4 bytes): checked, then the raw deflate data.
            if (data.Length < 6 || (data.Span[1] & 0x20) == 0 || BinaryPrimitives.ReadUInt32BigEndian(data.Span[2..6]) != SpdyDictionary.Adler32)
            {
                throw new InvalidDataException("the SPDY header block does not start with a zlib header naming the SPDY/3 dictionary");
            }
            data = data[6..];
            _readHeader = true;
        }
        await _input.Writer.WriteAsync(data, cancellationToken);
        await _input.Writer.FlushAsync(cancellationToken);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var count = ReadInt();
        for (var i = 0; i < count; i++)
        {
            var name = Encoding.UTF8.GetString(ReadBytes(ReadInt()));
            headers[name] = Encoding.UTF8.GetString(ReadBytes(ReadInt())).Replace('\0', ',');
        }
        return headers;
    }

    /// <summary>A header block for these pairs, continuing this connection's zlib stream.</summary>
    public byte[] Write(IReadOnlyDictionary<string, string> headers)
    {
        var plain = new MemoryStream();
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, headers.Count);
        plain.Write(number);
        foreach (var (name, value) in headers)
        {
            foreach (var text in (string[])[name.ToLowerInvariant(), value])
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                BinaryPrimitives.WriteInt32BigEndian(number, bytes.Length);
                plain.Write(number);
                plain.Write(bytes);
            }
        }
        var output = new MemoryStream();
        if (!_wroteHeader)
        {
            // CMF 0x78 (deflate, 32K window), FLG with FDICT set and the check bits making CMF*256+FLG a multiple of 31.
            output.WriteByte(0x78);
            output.WriteByte(0xBB);
            BinaryPrimitives.WriteUInt32BigEndian(number, SpdyDictionary.Adler32);
            output.Write(number);
            _wroteHeader = true;
        }
        WriteStoredBlock(output, plain.ToArray());
        // The sync-flush marker (an empty stored block) ends every header block, as zlib's Z_SYNC_FLUSH writes it: a
        // Go inflater hands out a stored block's bytes only at the next block, so without it the peer reads too far.
        WriteStoredBlock(output, []);
        return output.ToArray();
    }

    private int ReadInt()
    {
        Span<byte> number = stackalloc byte[4];
        _inflater.ReadExactly(number);
        var value = BinaryPrimitives.ReadInt32BigEndian(number);
        return value is >= 0 and <= 1 << 20 ? value : throw new InvalidDataException($"a SPDY header length of {value}");
    }

    private byte[] ReadBytes(int length)
    {
        var bytes = new byte[length];
        _inflater.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>A non-final stored deflate block (BFINAL 0, BTYPE 00, byte-aligned LEN and NLEN), which is also a sync flush.</summary>
    private static void WriteStoredBlock(Stream output, byte[] data)
    {
        output.WriteByte(0x00);
        Span<byte> lengths = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(lengths, (ushort)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(lengths[2..], (ushort)~data.Length);
        output.Write(lengths);
        output.Write(data);
    }

    public void Dispose()
    {
        _inflater.Dispose();
        _input.Writer.Complete();
    }

    /// <summary>A fixed prefix, then another stream.</summary>
    private sealed class ConcatenatedStream(byte[] prefix, Stream rest) : Stream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position < prefix.Length)
            {
                var n = Math.Min(count, prefix.Length - _position);
                Array.Copy(prefix, _position, buffer, offset, n);
                _position += n;
                return n;
            }
            return rest.Read(buffer, offset, count);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
