using System.Collections.Immutable;

namespace Ops.Sandbox.Storage;

/// <summary>The whole store at one resourceVersion; cheap to take and safe to read from any thread.</summary>
internal sealed record StoreSnapshot(long ResourceVersion, ImmutableDictionary<string, ImmutableSortedDictionary<string, StoredObject>> Objects)
{
    public ImmutableSortedDictionary<string, StoredObject> Of(string storageKey) =>
        Objects.TryGetValue(storageKey, out var objects) ? objects : ImmutableSortedDictionary.Create<string, StoredObject>(StringComparer.Ordinal);
}
