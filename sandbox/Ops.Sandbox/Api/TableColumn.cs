using System.Text.Json.Nodes;

namespace Ops.Sandbox.Api;

/// <summary>A column of the server-side table printing that <c>kubectl get</c> shows; values may depend on the time (ages).</summary>
internal sealed record TableColumn(string Name, string Type, Func<JsonObject, DateTimeOffset, JsonNode?> Value, int Priority = 0, string Format = "", string Description = "");
