using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>
/// What an evaluation decided: the crossings to fire (a command each), the crossings record to keep, every pod's
/// state, the totals, the limit that held something back (for the LimitReached condition and Event), when to look
/// again, and the time judged up to.
/// </summary>
public sealed record TriggerOutcome(
    IReadOnlyList<Crossing> Fire,
    IReadOnlyList<(V1Alpha1DiagnosticTrigger.Firing Firing, string Reason)> Withheld,
    List<V1Alpha1DiagnosticTrigger.Firing> Firings,
    List<V1Alpha1DiagnosticTrigger.PodState> Pods,
    V1Alpha1DiagnosticTrigger.TriggerTotals Totals,
    (string Reason, string Message)? Limit,
    TimeSpan? Wake,
    DateTimeOffset EvaluatedTime);
