using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// Holds a namespace to the most commands its policy lets it run at once. Commands start on several workers, and a
/// start records its plan (an API write) before its fan-out counts as running: a start holds a place from the check
/// until then, so that two commands starting together cannot both take the last one. A command turned away waits in
/// the namespace's queue, in order; each place that frees (a fan-out ends, a start gives its place back unused) wakes
/// the first one waiting — one, not all: thousands queued behind a limit of a thousand woke each other by the million.
/// </summary>
public sealed class CommandAdmission
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<string>> _starting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OrderedDictionary<string, NamespacedName>> _queued = new(StringComparer.Ordinal);
    private readonly CommandRuns _runs;
    private readonly ReconcileTrigger<V1Alpha1DiagnosticCommand> _trigger;

    private readonly Func<NamespacedName, bool> _waiting;

    /// <param name="runs">The fan-outs running here, counted per namespace.</param>
    /// <param name="trigger">Wakes a queued command.</param>
    /// <param name="waiting">Whether a queued command still waits (it exists and is not being deleted): one that does not is passed over.</param>
    public CommandAdmission(CommandRuns runs, ReconcileTrigger<V1Alpha1DiagnosticCommand> trigger, Func<NamespacedName, bool> waiting)
    {
        (_runs, _trigger, _waiting) = (runs, trigger, waiting);
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
                (_queued.TryGetValue(ns, out var queue) ? queue : _queued[ns] = new(StringComparer.Ordinal)).TryAdd(uid, command);
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
        // A start that went on holds its place as a running fan-out now; one that did not gave the place back.
        if (_runs.Find(uid) is null) Wake(ns);
    }

    /// <summary>Requests the first command queued in <paramref name="ns"/> that still waits, for the place that freed (should it lose it, it queues again).</summary>
    private void Wake(string ns)
    {
        NamespacedName? woken = null;
        lock (_lock)
        {
            if (!_queued.TryGetValue(ns, out var queue)) return;
            while (woken is null && queue.Count > 0)
            {
                var first = queue.GetAt(0).Value;
                queue.RemoveAt(0);
                if (_waiting(first)) woken = first;
            }
            if (queue.Count == 0) _queued.Remove(ns);
        }
        if (woken is { } key) _trigger.Request(key);
    }

    private sealed class Place(CommandAdmission admission, string ns, string uid) : IDisposable
    {
        public void Dispose() => admission.Leave(ns, uid);
    }
}
