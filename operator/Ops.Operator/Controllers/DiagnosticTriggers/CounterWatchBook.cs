using Ops.Agent.V1;
using Ops.ControllerRuntime.Client;

namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>
/// Which counter watches each trigger wants (written by its reconciles) and what the agents last said of them (written
/// by <see cref="CounterWatchSync"/>): the one place the two meet. In memory: a new leader's first reconciles and syncs
/// fill it again within seconds, and the agents' crossings carry their own keys, so nothing fires twice for it.
/// </summary>
public sealed class CounterWatchBook
{
    private readonly Lock _gate = new();
    private readonly Dictionary<NamespacedName, IReadOnlyList<NodeWatch>> _wanted = [];
    private readonly Dictionary<string, WatchState> _states = new(StringComparer.Ordinal);

    /// <summary>The trigger wants exactly these watches (none: it watches no counters any more).</summary>
    public void Want(NamespacedName trigger, IReadOnlyList<NodeWatch> watches)
    {
        lock (_gate)
        {
            if (watches.Count == 0) _wanted.Remove(trigger);
            else _wanted[trigger] = watches;
        }
    }

    /// <summary>Every wanted watch by node, for the sync.</summary>
    public Dictionary<string, List<(NamespacedName Trigger, NodeWatch Watch)>> ByNode()
    {
        lock (_gate)
        {
            return _wanted.SelectMany(t => t.Value.Select(w => (Trigger: t.Key, Watch: w))).GroupBy(x => x.Watch.Node, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        }
    }

    /// <summary>What the node's agent said (or why it said nothing); the watches whose state changed in a way their trigger acts on.</summary>
    public HashSet<string> Record(IEnumerable<WatchState> states)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var state in states)
            {
                var before = _states.GetValueOrDefault(state.Id);
                if (before is null || before.Problem != state.Problem || (before.HoldingSince is null) != (state.HoldingSince is null)
                    || before.Crossings.LastOrDefault()?.Key != state.Crossings.LastOrDefault()?.Key) changed.Add(state.Id);
                _states[state.Id] = state;
            }
        }
        return changed;
    }

    /// <summary>The last state the agents reported of a watch, or null before the first sync.</summary>
    public WatchState? StateOf(string watchId)
    {
        lock (_gate) return _states.GetValueOrDefault(watchId);
    }

    /// <summary>Forgets states of watches no trigger wants (after a sync, so a watch dropped and wanted again starts afresh).</summary>
    public void Prune()
    {
        lock (_gate)
        {
            var wanted = _wanted.Values.SelectMany(w => w).Select(w => w.Watch.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var id in _states.Keys.Where(id => !wanted.Contains(id)).ToList()) _states.Remove(id);
        }
    }
}
