using System.Threading.Channels;

namespace Ops.Sandbox.Storage;

/// <summary>
/// One open watch. Events are written under the store's commit lock, so a watcher sees every change
/// after its starting point exactly once and in order; a watcher that falls too far behind is closed
/// (as a real API server does) and its client re-watches from the last version it saw.
/// </summary>
internal sealed class Watcher
{
    private readonly Channel<WatchEvent> _channel;

    public Watcher(string storageKey, Func<StoredObject, bool> matches, bool bookmarks, int capacity)
    {
        StorageKey = storageKey;
        Matches = matches;
        WantsBookmarks = bookmarks;
        // Capacity 0 is for the sandbox's own controllers, which must never be dropped.
        _channel = capacity > 0
            ? Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait })
            : Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });
    }

    /// <summary>The storage watched, or "*" for every storage (the sandbox's own controllers).</summary>
    public string StorageKey { get; }
    public Func<StoredObject, bool> Matches { get; }
    public bool WantsBookmarks { get; }
    public ChannelReader<WatchEvent> Events => _channel.Reader;
    public bool IsClosed { get; private set; }

    /// <summary>Translates a change into what this watcher should see: an object moving out of its selector is a DELETED.</summary>
    internal bool Offer(HistoryEntry entry)
    {
        if (StorageKey != "*" && StorageKey != entry.New.StorageKey) return true;
        var nowMatches = Matches(entry.New);
        string? type = entry.Type switch
        {
            WatchEvent.Deleted => nowMatches ? WatchEvent.Deleted : null,
            WatchEvent.Added => nowMatches ? WatchEvent.Added : null,
            _ => (entry.Old is not null && Matches(entry.Old), nowMatches) switch
            {
                (true, true) => WatchEvent.Modified,
                (false, true) => WatchEvent.Added,
                (true, false) => WatchEvent.Deleted,
                _ => null,
            },
        };
        return type is null || TryWrite(new WatchEvent(type, entry.New, entry.ResourceVersion));
    }

    internal bool TryWrite(WatchEvent watchEvent) => !IsClosed && _channel.Writer.TryWrite(watchEvent);

    internal void Close(Exception? error = null)
    {
        IsClosed = true;
        _channel.Writer.TryComplete(error);
    }
}
