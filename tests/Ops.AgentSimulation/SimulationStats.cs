using System.Collections.Concurrent;

namespace Ops.AgentSimulation;

/// <summary>What the simulated agents did, for benchmarks and tests to read: calls, executions, when each finished.</summary>
public sealed class SimulationStats
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> _finished = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string CommandUid, string TargetKey), int> _runs = new();
    private long _calls;
    private long _executions;
    private long _failures;

    /// <summary>Execute calls received, repeats included.</summary>
    public long ExecuteCalls => Interlocked.Read(ref _calls);

    /// <summary>Executions started: a repeat of (command, target) attaches to the first and starts none.</summary>
    public long Executions => Interlocked.Read(ref _executions);

    /// <summary>Executions the simulation made fail.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>When each target of the command finished on its agent.</summary>
    public IReadOnlyList<DateTimeOffset> FinishedOf(string commandUid) => _finished.TryGetValue(commandUid, out var times) ? [.. times] : [];

    /// <summary>
    /// How many times each target of the command was started, over every agent that ever ran (a restarted
    /// agent reads its node's journal, as the real one does, so a target is never started twice).
    /// </summary>
    public IReadOnlyDictionary<string, int> RunsOf(string commandUid) =>
        _runs.Where(r => r.Key.CommandUid == commandUid).ToDictionary(r => r.Key.TargetKey, r => r.Value, StringComparer.Ordinal);

    internal void Called() => Interlocked.Increment(ref _calls);

    internal void Started(string commandUid, string targetKey, bool fails)
    {
        _runs.AddOrUpdate((commandUid, targetKey), 1, (_, n) => n + 1);
        Interlocked.Increment(ref _executions);
        if (fails) Interlocked.Increment(ref _failures);
    }

    internal void Finished(string commandUid, DateTimeOffset at) => _finished.GetOrAdd(commandUid, _ => new()).Enqueue(at);
}
