namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>
/// What one look at a pod says against a trigger's condition: its state (Watching, Holding, NotWatchable), why,
/// since when the condition holds, the crossings it shows, and when to look again to catch the next one.
/// </summary>
public sealed record PodObservation(string Pod, string State, string Message, DateTimeOffset? HoldingSince, IReadOnlyList<Crossing> Crossings, TimeSpan? LookAgainIn, string? Value = null);
