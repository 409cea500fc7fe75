using System.Buffers.Binary;
using System.Text;

namespace Ops.Sandbox.PortForward;

/// <summary>
/// The zlib dictionary SPDY/3 fixes for header compression (draft-mbelshe-httpbis-spdy, section 2.6.10.1): common
/// header names and values, each with a 4-byte big-endian length, then a run of status codes, reason phrases, dates
/// and media types without lengths. 1423 bytes; a zlib stream names it by its Adler-32.
/// </summary>
internal static class SpdyDictionary
{
    private static readonly string[] Words =
    [
        "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding", "accept-language", "accept-ranges",
        "age", "allow", "authorization", "cache-control", "connection", "content-base", "content-encoding", "content-language", "content-length",
        "content-location", "content-md5", "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host", "if-match",
        "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location", "max-forwards", "pragma",
        "proxy-authenticate", "proxy-authorization", "range", "referer", "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade",
        "user-agent", "vary", "via", "warning", "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public",
        "set-cookie", "keep-alive", "origin",
    ];

    private const string Tail =
        "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
        + "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden"
        + "404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
        + "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
        + "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,"
        + "publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

    public static readonly byte[] Bytes = Build();

    /// <summary>0xE3C6A7C2: what a SPDY/3 peer's zlib header carries as its dictionary id.</summary>
    public static readonly uint Adler32 = Checksum(Bytes);

    private static byte[] Build()
    {
        var output = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var word in Words)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, word.Length);
            output.Write(length);
            output.Write(Encoding.ASCII.GetBytes(word));
        }
        output.Write(Encoding.ASCII.GetBytes(Tail));
        return output.ToArray();
    }

    private static uint Checksum(byte[] data)
    {
        uint a = 1, b = 0;
        foreach (var d in data)
        {
            a = (a + d) % 65521;
            b = (b + a) % 65521;
        }
        return b << 16 | a;
    }
}
