using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Ops.Sandbox.Storage;

/// <summary>
/// The sandbox's etcd: objects by storage and key, one resourceVersion sequence for everything, a
/// bounded history of changes for watch resumption, and the open watchers. Writes are serialized by
/// one lock; reads take an immutable snapshot and never block.
/// </summary>
internal sealed class ObjectStore(int historyCapacity = 10_000, int watcherCapacity = 10_000)
{
    /// <summary>etcd's default request limit; a larger object could not be stored by a real cluster.</summary>
    public const int MaxObjectBytes = 1_572_864;

    private static readonly ImmutableSortedDictionary<string, StoredObject> Empty = ImmutableSortedDictionary.Create<string, StoredObject>(StringComparer.Ordinal);

    private readonly Lock _lock = new();
    private readonly HistoryEntry?[] _history = new HistoryEntry?[historyCapacity];
    private readonly List<Watcher> _watchers = [];
    private readonly List<ICommitObserver> _observers = [];
    private readonly Dictionary<string, (string StorageKey, string Key)> _byUid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<(string StorageKey, string Key)>> _dependents = new(StringComparer.Ordinal);
    private long _historyCount;
    private long _historyFloor;
    private volatile StoreSnapshot _snapshot = new(0, ImmutableDictionary<string, ImmutableSortedDictionary<string, StoredObject>>.Empty);

    public long ResourceVersion => _snapshot.ResourceVersion;

    public int WatcherCount { get { lock (_lock) return _watchers.Count; } }

    public StoreSnapshot Snapshot() => _snapshot;

    public StoredObject? Get(string storageKey, string key) =>
        _snapshot.Objects.TryGetValue(storageKey, out var objects) && objects.TryGetValue(key, out var found) ? found : null;

    public void AddObserver(ICommitObserver observer)
    {
        lock (_lock) _observers.Add(observer);
    }

    /// <summary>Refuses an object a real cluster's etcd would refuse, measured on the bytes that would be stored.</summary>
    public static StoredObject CheckFits(StoredObject obj) =>
        obj.Json.Length > MaxObjectBytes ? throw new ObjectTooLargeException(obj.Json.Length, MaxObjectBytes) : obj;

    /// <summary>Loads persisted objects before serving; watches from before <paramref name="resourceVersion"/> get 410.</summary>
    public void Load(IEnumerable<StoredObject> objects, long resourceVersion)
    {
        lock (_lock)
        {
            var state = ImmutableDictionary<string, ImmutableSortedDictionary<string, StoredObject>>.Empty;
            foreach (var obj in objects)
            {
                state = state.SetItem(obj.StorageKey, (state.TryGetValue(obj.StorageKey, out var s) ? s : Empty).SetItem(obj.Key, obj));
                Index(null, obj);
            }
            _snapshot = new StoreSnapshot(resourceVersion, state);
            _historyFloor = resourceVersion;
        }
    }

    /// <summary>Runs a read-modify-write with the commit lock held, so checks and writes are atomic.</summary>
    public T Write<T>(Func<StoreWriter, T> transaction)
    {
        lock (_lock) return transaction(new StoreWriter(this));
    }

    public (string StorageKey, string Key)? FindUid(string uid)
    {
        lock (_lock) return _byUid.TryGetValue(uid, out var found) ? found : null;
    }

    public IReadOnlyList<(string StorageKey, string Key)> DependentsOf(string ownerUid)
    {
        lock (_lock) return _dependents.TryGetValue(ownerUid, out var set) ? [.. set] : [];
    }

    /// <summary>
    /// Opens a watch. Without a starting version the watcher first gets every matching object as
    /// ADDED; with one it gets every change after it, or a 410 Expired error when the history no
    /// longer reaches back that far.
    /// </summary>
    public Watcher Watch(string storageKey, Func<StoredObject, bool> matches, long? fromResourceVersion, bool bookmarks, int? capacity = null, bool markInitialEventsEnd = false)
    {
        lock (_lock)
        {
            var watcher = new Watcher(storageKey, matches, bookmarks, capacity ?? watcherCapacity);
            if (fromResourceVersion is not { } from)
            {
                foreach (var obj in _snapshot.Of(storageKey).Values)
                {
                    if (matches(obj) && !watcher.TryWrite(new WatchEvent(WatchEvent.Added, obj, obj.ResourceVersion))) break;
                }
                if (markInitialEventsEnd) watcher.TryWrite(new WatchEvent(WatchEvent.Bookmark, null, _snapshot.ResourceVersion, InitialEventsEnd: true));
            }
            else if (from < _historyFloor)
            {
                watcher.TryWrite(new WatchEvent(WatchEvent.ErrorType, null, 0, Api.StatusBody.Failure(410, "Expired",
                    $"too old resource version: {from} ({_historyFloor})", null)));
                watcher.Close();
                return watcher;
            }
            else
            {
                var first = Math.Max(0, _historyCount - _history.Length);
                for (var i = first; i < _historyCount; i++)
                {
                    var entry = _history[i % _history.Length]!;
                    if (entry.ResourceVersion > from && !watcher.Offer(entry)) break;
                }
            }
            _watchers.Add(watcher);
            return watcher;
        }
    }

    /// <summary>
    /// What a restart of the API server leaves: no history before now, so a watch resumed from an older
    /// resourceVersion gets 410 (the objects themselves are kept, as etcd keeps them). Clients' watches
    /// end with their connections; the sandbox's own controllers watch on, as a kubelet would reconnect.
    /// </summary>
    public void ForgetHistory()
    {
        lock (_lock) _historyFloor = _snapshot.ResourceVersion;
    }

    public void StopWatching(Watcher watcher)
    {
        lock (_lock) _watchers.Remove(watcher);
        watcher.Close();
    }

    /// <summary>Sends a BOOKMARK at the current version to every watcher that asked for them.</summary>
    public void Bookmark()
    {
        lock (_lock)
        {
            var rv = _snapshot.ResourceVersion;
            foreach (var watcher in _watchers.Where(w => w.WantsBookmarks).ToList())
            {
                if (!watcher.TryWrite(new WatchEvent(WatchEvent.Bookmark, null, rv))) Drop(watcher);
            }
        }
    }

    private void Drop(Watcher watcher)
    {
        _watchers.Remove(watcher);
        watcher.Close();
    }

    private void Index(StoredObject? old, StoredObject? current)
    {
        if (old is not null)
        {
            _byUid.Remove(old.Uid);
            foreach (var owner in old.OwnerUids)
            {
                if (_dependents.TryGetValue(owner, out var set) && set.Remove((old.StorageKey, old.Key)) && set.Count == 0) _dependents.Remove(owner);
            }
        }
        if (current is not null)
        {
            if (current.Uid.Length > 0) _byUid[current.Uid] = (current.StorageKey, current.Key);
            foreach (var owner in current.OwnerUids)
            {
                if (!_dependents.TryGetValue(owner, out var set)) _dependents[owner] = set = [];
                set.Add((current.StorageKey, current.Key));
            }
        }
    }

    /// <summary>The write side, valid only inside <see cref="Write{T}"/>.</summary>
    internal readonly struct StoreWriter(ObjectStore store)
    {
        public StoredObject? Get(string storageKey, string key) => store.Get(storageKey, key);

        public StoreSnapshot Snapshot => store._snapshot;

        /// <summary>Stores the object with the next resourceVersion (written into it) and tells every watcher.</summary>
        public StoredObject Put(string storageKey, JsonObject obj, IReadOnlyList<string> selectableFields)
        {
            var rv = store._snapshot.ResourceVersion + 1;
            ((JsonObject)obj["metadata"]!)["resourceVersion"] = rv.ToString();
            var stored = CheckFits(StoredObject.From(storageKey, obj, selectableFields));
            var old = Get(storageKey, stored.Key);
            Commit(rv, old is null ? WatchEvent.Added : WatchEvent.Modified, old, stored, removed: false);
            return stored;
        }

        /// <summary>Removes the object; watchers get its last state, stamped with the deletion's version.</summary>
        public StoredObject Remove(StoredObject existing, IReadOnlyList<string> selectableFields, JsonObject? lastState = null)
        {
            var rv = store._snapshot.ResourceVersion + 1;
            var last = lastState ?? existing.Parse();
            ((JsonObject)last["metadata"]!)["resourceVersion"] = rv.ToString();
            var stored = StoredObject.From(existing.StorageKey, last, selectableFields);
            Commit(rv, WatchEvent.Deleted, existing, stored, removed: true);
            return stored;
        }

        private void Commit(long rv, string type, StoredObject? old, StoredObject current, bool removed)
        {
            var snapshot = store._snapshot;
            var objects = snapshot.Objects.TryGetValue(current.StorageKey, out var existing) ? existing : Empty;
            objects = removed ? objects.Remove(current.Key) : objects.SetItem(current.Key, current);
            store._snapshot = new StoreSnapshot(rv, objects.IsEmpty ? snapshot.Objects.Remove(current.StorageKey) : snapshot.Objects.SetItem(current.StorageKey, objects));
            store.Index(old, removed ? null : current);

            var entry = new HistoryEntry(rv, type, old, current);
            var history = store._history;
            if (store._historyCount >= history.Length) store._historyFloor = history[store._historyCount % history.Length]!.ResourceVersion;
            history[store._historyCount++ % history.Length] = entry;

            foreach (var watcher in store._watchers.ToList())
            {
                if (!watcher.Offer(entry)) store.Drop(watcher);
            }
            foreach (var observer in store._observers) observer.OnCommit(entry, removed);
        }
    }
}
