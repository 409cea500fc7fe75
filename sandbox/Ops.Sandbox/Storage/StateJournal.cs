using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ops.Sandbox.Storage;

/// <summary>
/// Persistence for <c>--data-dir</c>: every commit is appended to a journal as it happens; at start
/// the journal is replayed over the last snapshot and compacted into a new one.
/// </summary>
internal sealed class StateJournal : ICommitObserver, IDisposable
{
    private const string SnapshotFile = "objects.json";
    private const string JournalFile = "journal.jsonl";
    private readonly StreamWriter _journal;

    private StateJournal(string directory)
    {
        _journal = new StreamWriter(new FileStream(Path.Combine(directory, JournalFile), FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { AutoFlush = true };
    }

    /// <summary>Loads what the directory holds into the store and starts journaling to it.</summary>
    public static StateJournal Open(string directory, ObjectStore store, Func<string, IReadOnlyList<string>> selectableFields)
    {
        Directory.CreateDirectory(directory);
        var objects = new Dictionary<(string, string), JsonObject>();
        long rv = 0;
        var snapshotPath = Path.Combine(directory, SnapshotFile);
        if (File.Exists(snapshotPath) && JsonNode.Parse(File.ReadAllText(snapshotPath)) is JsonObject snapshot)
        {
            rv = (long?)snapshot["resourceVersion"] ?? 0;
            foreach (var item in snapshot["objects"]?.AsArray() ?? [])
            {
                var storage = (string)item!["storage"]!;
                var obj = item["object"]!.AsObject();
                objects[(storage, Key(obj))] = obj;
            }
        }
        var journalPath = Path.Combine(directory, JournalFile);
        if (File.Exists(journalPath))
        {
            foreach (var line in File.ReadLines(journalPath))
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                JsonObject entry;
                try
                {
                    entry = JsonNode.Parse(line)!.AsObject();
                }
                catch (JsonException)
                {
                    break; // a line cut by a crash mid-write: everything before it is intact
                }
                var storage = (string)entry["storage"]!;
                var obj = entry["object"]!.AsObject();
                rv = Math.Max(rv, (long)entry["rv"]!);
                if ((bool?)entry["removed"] == true) objects.Remove((storage, Key(obj)));
                else objects[(storage, Key(obj))] = obj;
            }
        }
        store.Load(objects.Select(o => StoredObject.From(o.Key.Item1, o.Value, selectableFields(o.Key.Item1))), rv);

        var compacted = new JsonObject
        {
            ["resourceVersion"] = rv,
            ["objects"] = new JsonArray([.. objects.Select(o => (JsonNode)new JsonObject { ["storage"] = o.Key.Item1, ["object"] = o.Value.DeepClone() })]),
        };
        File.WriteAllText(snapshotPath + ".tmp", compacted.ToJsonString());
        File.Move(snapshotPath + ".tmp", snapshotPath, overwrite: true);
        File.WriteAllText(journalPath, "");
        return new StateJournal(directory);
    }

    public void OnCommit(HistoryEntry entry, bool removed)
    {
        var line = new JsonObject
        {
            ["rv"] = entry.ResourceVersion,
            ["storage"] = entry.New.StorageKey,
            ["removed"] = removed,
            ["object"] = JsonNode.Parse(entry.New.Json),
        };
        _journal.WriteLine(line.ToJsonString());
    }

    private static string Key(JsonObject obj) => StoredObject.KeyOf((string?)obj["metadata"]?["namespace"] ?? "", (string?)obj["metadata"]?["name"] ?? "");

    public void Dispose() => _journal.Dispose();
}
