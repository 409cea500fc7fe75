using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Api;

/// <summary>One page of a list, at the resourceVersion of the snapshot it was read from.</summary>
internal sealed record ListResult(IReadOnlyList<StoredObject> Items, long ResourceVersion, string? Continue, long? RemainingItemCount);
