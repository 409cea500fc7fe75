namespace Ops.AgentSimulation;

/// <summary>How the simulated agents behave: how long an action takes and how often it fails.</summary>
public sealed record AgentSimulationOptions
{
    /// <summary>How long an action takes when <see cref="ActionLatency"/> does not name it.</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How long named actions take.</summary>
    public IReadOnlyDictionary<string, TimeSpan> ActionLatency { get; init; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

    /// <summary>The share of executions, from 0 to 1, that fail (decided per target key, so a repeat decides the same).</summary>
    public double FailureRate { get; init; }

    /// <summary>Bytes of output a successful execution returns.</summary>
    public int OutputBytes { get; init; } = 64;

    public TimeSpan LatencyOf(string action) => ActionLatency.TryGetValue(action, out var latency) ? latency : Latency;

    /// <summary>Throws with what is wrong, so a bad setting stops the simulation before it starts.</summary>
    public void Validate()
    {
        if (FailureRate is < 0 or > 1 || double.IsNaN(FailureRate)) throw new ArgumentException($"FailureRate must be from 0 to 1, not {FailureRate}");
        if (Latency < TimeSpan.Zero) throw new ArgumentException($"Latency must not be negative, not {Latency}");
        foreach (var (action, latency) in ActionLatency)
        {
            if (latency < TimeSpan.Zero) throw new ArgumentException($"the latency of {action} must not be negative, not {latency}");
        }
        if (OutputBytes is < 0 or > 256 * 1024) throw new ArgumentException($"OutputBytes must be from 0 to 262144, not {OutputBytes}");
    }
}
