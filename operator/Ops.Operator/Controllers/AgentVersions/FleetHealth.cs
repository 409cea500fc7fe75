namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// The fleet judged against the template being converged to: nodes updated and healthy, nodes on their
/// way (replacement pending, starting, within minReadySeconds, gate not answered yet), nodes that failed
/// (with why), how many agents are unavailable, and when to look again.
/// </summary>
public sealed class FleetHealth
{
    public List<string> Passed { get; } = [];
    public List<string> Waiting { get; } = [];
    public Dictionary<string, string> Failed { get; } = new(StringComparer.Ordinal);
    public int Unavailable { get; set; }
    public TimeSpan? Wake { get; private set; }

    public void WakeAt(TimeSpan after)
    {
        if (after < TimeSpan.Zero) after = TimeSpan.Zero;
        if (Wake is null || after < Wake) Wake = after;
    }
}
