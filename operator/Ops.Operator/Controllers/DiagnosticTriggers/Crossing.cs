namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>
/// A pod's condition becoming true: when, in which container, and the key that names this crossing and no other
/// (a restart count, a readiness transition, a counter episode), so the same crossing is judged once whoever sees it again;
/// for a counter, the process whose counter crossed (its pid inside the container), which the command then targets.
/// </summary>
public sealed record Crossing(string Pod, string Container, string Key, DateTimeOffset At, string Message, int? NamespacePid = null);
