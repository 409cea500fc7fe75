namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>
/// A pod's condition becoming true: when, in which container, and the key that names this crossing and no other
/// (a restart count, a readiness transition), so the same crossing is judged once whoever sees it again.
/// </summary>
public sealed record Crossing(string Pod, string Container, string Key, DateTimeOffset At, string Message);
