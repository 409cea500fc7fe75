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
    private volatile Served _served = Served.Of(BuiltInResources.All);

    /// <summary>The served types with their lookups, rebuilt only when a CRD changes (every request and write looks types up).</summary>
    private sealed record Served(IReadOnlyList<ResourceType> All, IReadOnlyDictionary<(string, string, string), ResourceType> ByResource, IReadOnlyDictionary<string, ResourceType> ByStorage)
    {
        public static Served Of(IReadOnlyList<ResourceType> all) => new(
            all,
            // First wins, as a scan did: a CRD can never shadow a built-in resource.
            all.GroupBy(t => (t.Group, t.Version, t.Plural)).ToDictionary(g => g.Key, g => g.First()),
            // Objects of a storage are kept in its storage version's form.
            all.GroupBy(t => t.StorageKey).ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.ApiVersion == t.StorageApiVersion).First()));
    }

    public IReadOnlyList<ResourceType> All => _served.All;

    public ResourceType? Find(string group, string version, string plural) => _served.ByResource.GetValueOrDefault((group, version, plural));

    public IReadOnlyList<ResourceType> OfGroupVersion(string group, string version) =>
        [.. All.Where(t => t.Group == group && t.Version == version)];

    /// <summary>The served type objects of one storage are kept in (its storage version).</summary>
    public ResourceType? ForStorage(string storageKey) => _served.ByStorage.GetValueOrDefault(storageKey);

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
            Update(_custom.Remove(entry.New.Name));
            return;
        }
        try
        {
            Update(_custom.SetItem(entry.New.Name, CrdResourceTypes.From(entry.New.Parse())));
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or ArgumentException)
        {
            // A CRD that passed validation but cannot be served stays stored and unserved.
            Update(_custom.Remove(entry.New.Name));
        }
    }

    public void Load(IEnumerable<StoredObject> crds)
    {
        Update(crds.Aggregate(_custom, (custom, crd) => custom.SetItem(crd.Name, CrdResourceTypes.From(crd.Parse()))));
    }

    private void Update(ImmutableDictionary<string, IReadOnlyList<ResourceType>> custom)
    {
        _custom = custom;
        _served = Served.Of([.. BuiltInResources.All, .. custom.Values.SelectMany(t => t)]);
    }
}
