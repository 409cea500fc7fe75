using System.Text.Json.Nodes;

namespace Ops.Sandbox.Storage;

/// <summary>An event a watcher receives; Object is absent for BOOKMARK and ERROR.</summary>
internal sealed record WatchEvent(string Type, StoredObject? Object, long ResourceVersion, JsonObject? Error = null, bool InitialEventsEnd = false)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Bookmark = "BOOKMARK";
    public const string ErrorType = "ERROR";
}
