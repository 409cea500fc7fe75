using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// Holds a namespace to the most commands its policy lets it run at once. Commands start on several workers, and a
/// start records its plan (an API write) before its fan-out counts as running: a start holds a place from the check
/// until then, so that two commands starting together cannot both take the last one. A command turned away waits in
/// the namespace's queue and is woken when a place frees (a fan-out ends, or a start gives its place back unused).
/// </summary>
public sealed class CommandAdmission
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<string>> _starting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, NamespacedName>> _queued = new(StringComparer.Ordinal);
    private readonly CommandRuns _runs;
    private readonly ReconcileTrigger<V1Alpha1DiagnosticCommand> _trigger;

    public CommandAdmission(CommandRuns runs, ReconcileTrigger<V1Alpha1DiagnosticCommand> trigger)
    {
        (_runs, _trigger) = (runs, trigger);
        runs.Ended += Wake;
    }

    /// <summary>
    /// A place for the command, released when disposed; null when the namespace already runs <paramref name="limit"/> (and
    /// how many it runs): the command is then queued, and requested again when a place frees.
    /// </summary>
    public (IDisposable? Place, int Running) TryEnter(NamespacedName command, string uid, int limit)
    {
        var ns = command.Namespace;
        lock (_lock)
        {
            var starting = _starting.TryGetValue(ns, out var set) ? set : _starting[ns] = new HashSet<string>(StringComparer.Ordinal);
            var running = _runs.RunningIn(ns) + starting.Count(u => u != uid);
            if (running >= limit)
            {
                (_queued.TryGetValue(ns, out var queue) ? queue : _queued[ns] = new(StringComparer.Ordinal))[uid] = command;
                return (null, running);
            }
            starting.Add(uid);
            if (_queued.TryGetValue(ns, out var waiting) && waiting.Remove(uid) && waiting.Count == 0) _queued.Remove(ns);
            return (new Place(this, ns, uid), running);
        }
    }

    private void Leave(string ns, string uid)
    {
        lock (_lock)
        {
            if (_starting.TryGetValue(ns, out var set) && set.Remove(uid) && set.Count == 0) _starting.Remove(ns);
        }
        Wake(ns);
    }

    /// <summary>Requests every command queued in <paramref name="ns"/>: each tries for the freed place again (those that lose wait on).</summary>
    private void Wake(string ns)
    {
        List<NamespacedName> woken;
        lock (_lock)
        {
            if (!_queued.Remove(ns, out var queue)) return;
            woken = [.. queue.Values];
        }
        foreach (var key in woken) _trigger.Request(key);
    }

    private sealed class Place(CommandAdmission admission, string ns, string uid) : IDisposable
    {
        public void Dispose() => admission.Leave(ns, uid);
    }
}
