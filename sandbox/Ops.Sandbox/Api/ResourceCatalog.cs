using System.Collections.Immutable;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Api;

/// <summary>
/// Every resource the sandbox serves right now: the built-ins plus what the stored CRDs define. It
/// follows CRD commits synchronously, so a CR can be created the moment its CRD's create returns.
/// </summary>
internal sealed class ResourceCatalog : ICommitObserver
{
    private ImmutableDictionary<string, IReadOnlyList<ResourceType>> _custom = ImmutableDictionary<string, IReadOnlyList<ResourceType>>.Empty;

    public IEnumerable<ResourceType> All => BuiltInResources.All.Concat(_custom.Values.SelectMany(t => t));

    public ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);

    public IReadOnlyList<ResourceType> OfGroupVersion(string group, string version) =>
        [.. All.Where(t => t.Group == group && t.Version == version)];

    /// <summary>The served type objects of one storage are kept in (its storage version).</summary>
    public ResourceType? ForStorage(string storageKey) =>
        All.Where(t => t.StorageKey == storageKey).OrderByDescending(t => t.ApiVersion == t.StorageApiVersion).FirstOrDefault();

    /// <summary>API groups in discovery order: core first, then built-in groups, then custom groups by name.</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups()
    {
        var builtIn = BuiltInResources.All.Select(t => t.Group).Distinct();
        var custom = _custom.Values.SelectMany(t => t).Select(t => t.Group).Distinct().Order(StringComparer.Ordinal);
        return [.. builtIn.Concat(custom).Distinct().Select(g => (g, (IReadOnlyList<string>)[.. All.Where(t => t.Group == g).Select(t => t.Version).Distinct()]))];
    }

    public void OnCommit(HistoryEntry entry, bool removed)
    {
        if (entry.New.StorageKey != BuiltInResources.CrdStorageKey) return;
        if (removed)
        {
            _custom = _custom.Remove(entry.New.Name);
            return;
        }
        try
        {
            _custom = _custom.SetItem(entry.New.Name, CrdResourceTypes.From(entry.New.Parse()));
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or ArgumentException)
        {
            // A CRD that passed validation but cannot be served stays stored and unserved.
            _custom = _custom.Remove(entry.New.Name);
        }
    }

    public void Load(IEnumerable<StoredObject> crds)
    {
        foreach (var crd in crds) _custom = _custom.SetItem(crd.Name, CrdResourceTypes.From(crd.Parse()));
    }
}
