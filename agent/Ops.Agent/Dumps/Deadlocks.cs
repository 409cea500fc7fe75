using Microsoft.Diagnostics.Runtime;

namespace Ops.Agent.Dumps;

/// <summary>
/// Finds cycles of monitor waits: a thread waits for a lock whose holder waits for a lock ... held by the first thread.
/// Each cycle is reported once, from its thread with the lowest managed id.
/// </summary>
public static class Deadlocks
{
    public static List<Deadlock> Find(IReadOnlyDictionary<ulong, (ClrThread Thread, ulong Lock, string Type, string Method)> waits, IReadOnlyDictionary<ulong, ClrThread> holders)
    {
        var found = new List<Deadlock>();
        var reported = new HashSet<ulong>();
        foreach (var start in waits.Keys)
        {
            var path = new List<ulong>();
            var at = start;
            while (waits.TryGetValue(at, out var wait) && holders.TryGetValue(wait.Lock, out var holder) && holder is not null && !path.Contains(at))
            {
                path.Add(at);
                at = holder.Address;
            }
            // A cycle only when the walk came back to where it started; a chain that ends at a running holder is contention, not a deadlock.
            if (at != start || path.Count < 2 || path.Any(reported.Contains)) continue;
            reported.UnionWith(path);
            var cycle = path.Select((thread, i) =>
            {
                var wait = waits[thread];
                var previous = waits[path[(i + path.Count - 1) % path.Count]];
                return new DeadlockedThread(wait.Thread.ManagedThreadId, wait.Thread.OSThreadId, wait.Method, previous.Type, wait.Type);
            }).ToList();
            var first = cycle.IndexOf(cycle.MinBy(t => t.ManagedId)!);
            found.Add(new Deadlock([.. cycle.Skip(first), .. cycle.Take(first)]));
        }
        return found;
    }
}
