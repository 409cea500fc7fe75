using System.Text.Json.Nodes;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Api;

/// <summary>The outcome of a write: the HTTP code, the object (or a Status body), and warnings for the Warning header.</summary>
internal sealed record ApiResult(int Code, StoredObject? Object, JsonObject? Body = null)
{
    public List<string> Warnings { get; init; } = [];
}
