using System.Globalization;
using System.Text;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Protobuf;

/// <summary>A protobuf wire-format reader over one message's bytes.</summary>
internal sealed class ProtoReader(byte[] bytes)
{
    private int _position;

    public bool AtEnd => _position >= bytes.Length;

    public bool Next(out int number, out int wire)
    {
        number = wire = 0;
        if (AtEnd) return false;
        var tag = Varint();
        number = (int)(tag >> 3);
        wire = (int)(tag & 7);
        return true;
    }

    public ulong Varint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (AtEnd) throw Malformed("a protobuf varint runs past the end of the body");
            var b = bytes[_position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
        throw Malformed("a protobuf varint is longer than 10 bytes");
    }

    public byte[] Bytes()
    {
        var length = Varint();
        if (length > (ulong)(bytes.Length - _position)) throw Malformed("a protobuf field runs past the end of the body");
        var value = bytes.AsSpan(_position, (int)length).ToArray();
        _position += (int)length;
        return value;
    }

    public string String()
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Bytes());
        }
        catch (DecoderFallbackException)
        {
            throw Malformed("a protobuf string is not valid UTF-8");
        }
    }

    public void Skip(int wire)
    {
        switch (wire)
        {
            case 0: Varint(); break;
            case 1: _position += 8; break;
            case 2: Bytes(); break;
            case 5: _position += 4; break;
            default: throw Malformed(string.Create(CultureInfo.InvariantCulture, $"protobuf wire type {wire} is not one Kubernetes uses"));
        }
        if (_position > bytes.Length) throw Malformed("a protobuf field runs past the end of the body");
    }

    private static ApiException Malformed(string message) => ApiException.BadRequest($"the protobuf body is malformed: {message}");
}
