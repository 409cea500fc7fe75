using Google.Protobuf.WellKnownTypes;
using Ops.Agent.Actions;
using Ops.Agent.Dotnet;
using Ops.Agent.Processes;
using Ops.Agent.V1;

namespace Ops.Agent.Watches;

/// <summary>
/// The counter watches the operator keeps on this node (DiagnosticTriggers with counter conditions): exactly the set
/// of the last sync, each judged by <see cref="WatchJudgement"/> over one <see cref="CounterSession"/> per watched
/// process, however many watches share it. A process that restarted is found again at the next sync; the sessions
/// all stop when no sync came within the lease (an operator gone leaves nothing running).
/// </summary>
public sealed class CounterWatches(ProcessLocator locator, DotnetProcessFinder finder, DotnetSessions sessions, TimeProvider clock) : IAsyncDisposable
{
    /// <summary>The most watches one agent keeps: each watched process costs a session in the process and the agent.</summary>
    public const int MaxWatches = 500;

    /// <summary>How long a session that ended while its process lives (it could not connect) waits before it is tried again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, WatchEntry> _watches = new(StringComparer.Ordinal);
    private readonly Dictionary<ProcessKey, CounterSession> _sessions = [];
    private ITimer? _lease;

    public int SessionCount
    {
        get
        {
            lock (_gate) return _sessions.Count;
        }
    }

    public SyncWatchesReply Sync(SyncWatchesRequest request)
    {
        var stopping = new List<CounterSession>();
        var reply = new SyncWatchesReply();
        lock (_gate)
        {
            var wanted = request.Watches.ToDictionary(w => w.Id, StringComparer.Ordinal);
            foreach (var gone in _watches.Keys.Where(id => !wanted.ContainsKey(id)).ToList()) _watches.Remove(gone);
            foreach (var watch in request.Watches)
            {
                if (!_watches.TryGetValue(watch.Id, out var entry)) _watches[watch.Id] = entry = new WatchEntry(new WatchJudgement(watch));
                else if (!entry.Judgement.Judges(watch)) entry.Judgement = new WatchJudgement(watch);
                Locate(entry);
            }
            Converge(stopping);
            _lease?.Dispose();
            _lease = clock.CreateTimer(_ => Expire(), null, TimeSpan.FromSeconds(request.LeaseSeconds), Timeout.InfiniteTimeSpan);
            foreach (var entry in _watches.Values) reply.States.Add(StateOf(entry));
        }
        foreach (var session in stopping) _ = session.DisposeAsync().AsTask();
        return reply;
    }

    /// <summary>The watch's process: the one it had while that run lives, else the target's selected process found again.</summary>
    private void Locate(WatchEntry entry)
    {
        if (entry.Process is { } known && IsAlive(known) && _sessions.TryGetValue(known, out var live) && !live.Ended) return;
        try
        {
            var process = locator.Select(entry.Judgement.Watch.Target);
            var dotnet = finder.Require(process);
            var key = new ProcessKey(process.Pid, locator.Proc.StartTimeOf(process.Pid) ?? 0);
            if (entry.Process != key) entry.Judgement.Restart();
            (entry.Process, entry.Problem) = (key, null);
            // A session that could not connect is tried again, not at every sync.
            if (_sessions.TryGetValue(key, out var failed) && failed.EndedAt is { } ended && clock.GetUtcNow() - ended >= RetryAfter)
            {
                _sessions.Remove(key);
                _ = failed.DisposeAsync().AsTask();
            }
            if (!_sessions.ContainsKey(key)) _sessions[key] = Started(key, dotnet, entry.Judgement.Watch);
        }
        catch (ActionParameterException e)
        {
            (entry.Process, entry.Problem) = (null, e.Message);
        }
    }

    private bool IsAlive(ProcessKey process) => locator.Proc.StartTimeOf(process.Pid) == process.StartTicks;

    private CounterSession Started(ProcessKey key, DotnetProcess dotnet, CounterWatch watch)
    {
        var interval = _watches.Values.Where(e => e.Process == key).Select(e => e.Judgement.Watch.IntervalSeconds).DefaultIfEmpty(watch.IntervalSeconds).Min();
        var session = new CounterSession(key, dotnet, watch.Target, Math.Max(1, interval), sessions, OnValue, IsAlive, clock);
        session.Start();
        return session;
    }

    /// <summary>Sessions no watch needs stop; a session whose process ended is dropped (the next sync finds the new run).</summary>
    private void Converge(List<CounterSession> stopping)
    {
        var needed = _watches.Values.Where(e => e.Process is not null).GroupBy(e => e.Process!.Value).ToDictionary(g => g.Key, g => g.Min(e => e.Judgement.Watch.IntervalSeconds));
        foreach (var (key, session) in _sessions.ToList())
        {
            if (needed.TryGetValue(key, out var interval) && interval >= session.IntervalSeconds) continue;
            _sessions.Remove(key);
            stopping.Add(session);
        }
    }

    private void OnValue(ProcessKey process, CounterValue counter)
    {
        var at = clock.GetUtcNow();
        lock (_gate)
        {
            if (!_sessions.TryGetValue(process, out var session)) return;
            foreach (var entry in _watches.Values.Where(e => e.Process == process && e.Judgement.Watch.Counter == counter.Name)) entry.Judgement.Observe(counter.Value, at, process, session.NamespacePid);
        }
    }

    private WatchState StateOf(WatchEntry entry)
    {
        var judgement = entry.Judgement;
        var state = new WatchState { Id = judgement.Watch.Id, Pid = entry.Process?.Pid ?? 0, HasValue = judgement.Value is not null, Value = judgement.Value ?? 0 };
        if (judgement.HoldingSince is { } since) state.HoldingSince = Timestamp.FromDateTimeOffset(since);
        state.Crossings.AddRange(judgement.Crossings);
        var session = entry.Process is { } key ? _sessions.GetValueOrDefault(key) : null;
        state.Problem = entry.Problem ?? session?.Problem ?? (judgement.Value is not null || session is null ? "" : Silence(session, judgement.Watch));
        return state;
    }

    /// <summary>Why a watch of a live session has no value yet: the session is starting, or the process does not publish that counter.</summary>
    private string Silence(CounterSession session, CounterWatch watch)
    {
        if (session.FirstValueAt is not { } first) return "waiting for the process's first counters";
        if (clock.GetUtcNow() - first < TimeSpan.FromSeconds(2 * session.IntervalSeconds + 1)) return "waiting for the counter's first value";
        return $"process {session.Process.Pid} publishes no System.Runtime counter {watch.Counter} (it publishes {string.Join(", ", session.Published)})";
    }

    /// <summary>No sync within the lease: the operator is gone, or no longer wants any watch here.</summary>
    private void Expire()
    {
        List<CounterSession> stopping;
        lock (_gate)
        {
            _watches.Clear();
            stopping = [.. _sessions.Values];
            _sessions.Clear();
        }
        foreach (var session in stopping) _ = session.DisposeAsync().AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        _lease?.Dispose();
        List<CounterSession> stopping;
        lock (_gate)
        {
            stopping = [.. _sessions.Values];
            _sessions.Clear();
        }
        foreach (var session in stopping) await session.DisposeAsync();
    }
}
