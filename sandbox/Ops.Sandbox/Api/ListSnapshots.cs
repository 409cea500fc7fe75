using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Api;

/// <summary>
/// Continue tokens of paged lists. Every page of a list is served from the snapshot its first page
/// read, so paging is consistent; snapshots are kept for a while and then a token is 410 Expired.
/// </summary>
internal sealed class ListSnapshots(TimeProvider clock)
{
    private static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(5);
    private const int MaxKept = 256;
    private readonly ConcurrentDictionary<long, (StoreSnapshot Snapshot, DateTimeOffset At)> _kept = new();

    public string Issue(StoreSnapshot snapshot, string lastKey)
    {
        var now = clock.GetUtcNow();
        _kept[snapshot.ResourceVersion] = (snapshot, now);
        if (_kept.Count > MaxKept)
        {
            foreach (var old in _kept.Where(k => now - k.Value.At > KeepFor || k.Key < snapshot.ResourceVersion - 100_000).Select(k => k.Key).ToList()) _kept.TryRemove(old, out _);
            if (_kept.Count > MaxKept) _kept.TryRemove(_kept.Keys.Min(), out _);
        }
        var json = new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = snapshot.ResourceVersion, ["start"] = lastKey + "\0" };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json.ToJsonString())).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public (StoreSnapshot Snapshot, string StartAfter) Resolve(string token)
    {
        JsonObject? json;
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - base64.Length % 4) % 4), '=');
            json = JsonNode.Parse(Convert.FromBase64String(base64)) as JsonObject;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw ApiException.BadRequest($"continue key is not valid: {e.Message}");
        }
        var rv = (long?)json?["rv"] ?? throw ApiException.BadRequest("continue key is not valid: no resource version");
        var start = ((string?)json?["start"])?.TrimEnd('\0') ?? "";
        if (!_kept.TryGetValue(rv, out var kept) || clock.GetUtcNow() - kept.At > KeepFor)
        {
            throw ApiException.Expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
        }
        return (kept.Snapshot, start);
    }
}
