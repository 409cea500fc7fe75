namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// Holds a namespace to the most commands its policy lets it run at once. Commands start on several workers, and a
/// start records its plan (an API write) before its fan-out counts as running: a start holds a place from the check
/// until then, so that two commands starting together cannot both take the last one.
/// </summary>
public sealed class CommandAdmission(CommandRuns runs)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<string>> _starting = new(StringComparer.Ordinal);

    /// <summary>A place for command <paramref name="uid"/>, released when disposed; null when the namespace already runs <paramref name="limit"/> (and how many it runs).</summary>
    public (IDisposable? Place, int Running) TryEnter(string ns, string uid, int limit)
    {
        lock (_lock)
        {
            var starting = _starting.TryGetValue(ns, out var set) ? set : _starting[ns] = new HashSet<string>(StringComparer.Ordinal);
            var running = runs.RunningIn(ns) + starting.Count(u => u != uid);
            if (running >= limit) return (null, running);
            starting.Add(uid);
            return (new Place(this, ns, uid), running);
        }
    }

    private void Leave(string ns, string uid)
    {
        lock (_lock)
        {
            if (_starting.TryGetValue(ns, out var set) && set.Remove(uid) && set.Count == 0) _starting.Remove(ns);
        }
    }

    private sealed class Place(CommandAdmission admission, string ns, string uid) : IDisposable
    {
        public void Dispose() => admission.Leave(ns, uid);
    }
}
