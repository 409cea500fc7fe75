using Google.Protobuf.WellKnownTypes;
using Ops.Agent.V1;

namespace Ops.Agent.Watches;

/// <summary>
/// One watch's threshold judged over the values its process publishes: since when the condition holds, and one
/// crossing per episode once it has held for for_seconds (keyed by the watch, the process run and the moment the
/// episode began, so the operator fires it once however often it is reported).
/// </summary>
public sealed class WatchJudgement(CounterWatch watch)
{
    /// <summary>The crossings kept to report: the operator syncs every few seconds, so only the last few matter.</summary>
    public const int KeptCrossings = 5;

    private readonly List<CounterCrossing> _crossings = [];
    private bool _crossed;

    public CounterWatch Watch { get; } = watch;

    public double? Value { get; private set; }
    public DateTimeOffset? HoldingSince { get; private set; }
    public IReadOnlyList<CounterCrossing> Crossings => _crossings;

    /// <summary>Whether a new watch judges the same condition (then the episode in progress carries on).</summary>
    public bool Judges(CounterWatch other) =>
        other.Counter == Watch.Counter && other.Above == Watch.Above && other.Threshold.Equals(Watch.Threshold) && other.ForSeconds == Watch.ForSeconds;

    public void Observe(double value, DateTimeOffset at, ProcessKey process, int namespacePid)
    {
        Value = value;
        var holds = Watch.Above ? value > Watch.Threshold : value < Watch.Threshold;
        if (!holds)
        {
            (HoldingSince, _crossed) = (null, false);
            return;
        }
        HoldingSince ??= at;
        if (_crossed || at - HoldingSince.Value < TimeSpan.FromSeconds(Watch.ForSeconds)) return;
        _crossed = true;
        _crossings.Add(new CounterCrossing
        {
            Key = $"{Watch.Id}/{process.Pid}-{process.StartTicks}/{HoldingSince.Value.ToUnixTimeMilliseconds()}",
            At = Timestamp.FromDateTimeOffset(at),
            Value = value,
            Pid = process.Pid,
            NamespacePid = namespacePid,
        });
        if (_crossings.Count > KeptCrossings) _crossings.RemoveAt(0);
    }

    /// <summary>The process is another one (restarted): what was judged of the old one does not carry over, its crossings stay reported.</summary>
    public void Restart() => (Value, HoldingSince, _crossed) = (null, null, false);
}
