namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>What the health gate says of one updated agent: passed, failed (with why), or not known yet (with why).</summary>
public sealed record GateResult(GateVerdict Verdict, string Message)
{
    public static GateResult Passed(string message) => new(GateVerdict.Passed, message);
    public static GateResult Failed(string message) => new(GateVerdict.Failed, message);
    public static GateResult Pending(string message) => new(GateVerdict.Pending, message);
}

public enum GateVerdict
{
    Pending,
    Passed,
    Failed,
}
