using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Api;

internal sealed partial class ResourceService
{
    public StoredObject Get(RequestScope scope) =>
        store.Get(scope.Type.StorageKey, scope.Key) ?? throw ApiException.NotFound(scope.Type, scope.Name ?? "");

    public ListResult List(RequestScope scope, ListOptions options)
    {
        StoreSnapshot snapshot;
        string? startAfter = null;
        if (!string.IsNullOrEmpty(options.Continue)) (snapshot, startAfter) = snapshots.Resolve(options.Continue);
        else snapshot = store.Snapshot();

        var matching = snapshot.Of(scope.Type.StorageKey).Values
            .Where(o => scope.Namespace.Length == 0 || !scope.Type.Namespaced || o.Namespace == scope.Namespace)
            .Where(o => startAfter is null || string.CompareOrdinal(o.Key, startAfter) > 0)
            .Where(o => Matches(o, options));
        if (options.Limit <= 0) return new ListResult([.. matching], snapshot.ResourceVersion, null, null);

        var page = new List<StoredObject>(Math.Min(options.Limit, 1024));
        long remaining = 0;
        foreach (var obj in matching)
        {
            if (page.Count < options.Limit) page.Add(obj);
            else remaining++;
        }
        var token = remaining > 0 ? snapshots.Issue(snapshot, page[^1].Key) : null;
        return new ListResult(page, snapshot.ResourceVersion, token, remaining > 0 ? remaining : null);
    }

    public static bool Matches(StoredObject obj, ListOptions options) =>
        options.Labels.Matches(obj.Labels) && options.Fields.Matches(obj.Fields);

    /// <summary>Opens a watch in the scope; the version is parsed here so a bad one is a 400 before streaming starts.</summary>
    public Watcher Watch(RequestScope scope, ListOptions options, bool bookmarks, bool sendInitialEvents = false)
    {
        long? from = null;
        if (!string.IsNullOrEmpty(options.ResourceVersion) && options.ResourceVersion != "0")
        {
            from = long.TryParse(options.ResourceVersion, out var parsed) && parsed >= 0
                ? parsed
                : throw ApiException.BadRequest($"invalid resource version: \"{options.ResourceVersion}\"");
        }
        var ns = scope.Type.Namespaced ? scope.Namespace : "";
        if (sendInitialEvents) from = null;
        return store.Watch(scope.Type.StorageKey, o => (ns.Length == 0 || o.Namespace == ns) && Matches(o, options), from, bookmarks, markInitialEventsEnd: sendInitialEvents);
    }
}
