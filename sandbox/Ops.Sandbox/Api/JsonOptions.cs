using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ops.Sandbox.Api;

/// <summary>How the sandbox writes JSON: quotes escaped as \" like the Go API server, not as \u0022.</summary>
internal static class JsonOptions
{
    public static readonly JsonSerializerOptions Wire = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
