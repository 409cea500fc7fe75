using System.Text;
using Microsoft.AspNetCore.Http;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Http;

/// <summary>A request's body as JSON text: at most 3 MiB, valid UTF-8, or kubectl's protobuf turned into JSON.</summary>
internal static class RequestBodies
{
    public const int MaxBytes = 3 * 1024 * 1024;

    public static async Task<string> ReadAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBytes) throw TooLarge();
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes) throw TooLarge();
            buffer.Write(chunk, 0, read);
        }
        // kubectl sends built-in kinds as protobuf; the sandbox stores and answers JSON, which kubectl accepts.
        if (Protobuf.KubernetesProtobuf.IsProtobuf(context.Request.ContentType) && buffer.Length > 0)
        {
            return Protobuf.KubernetesProtobuf.Decode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)).ToJsonString();
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw ApiException.BadRequest("the request body is not valid UTF-8");
        }
    }

    private static ApiException TooLarge() => ApiException.TooLarge($"Request entity too large: limit is {MaxBytes}");
}
