namespace Ops.Operator.Api.V1Alpha1;

/// <summary>A watched pod's state in a DiagnosticTrigger's status.</summary>
public static class TriggerPodStates
{
    /// <summary>The condition does not hold.</summary>
    public const string Watching = "Watching";

    /// <summary>The condition holds, not yet for long enough.</summary>
    public const string Holding = "Holding";

    /// <summary>The pod fired and may not fire again until its cool-down ends.</summary>
    public const string CoolingDown = "CoolingDown";

    /// <summary>A limit keeps the pod from firing (its own, the trigger's, the operator's).</summary>
    public const string LimitReached = "LimitReached";

    /// <summary>The pod cannot be judged: not running, or without the container.</summary>
    public const string NotWatchable = "NotWatchable";
}
