namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>Why a trigger's spec cannot be acted on: the condition's reason, a message naming the field, and whether a DiagnosticPolicy refused it (403 at admission) or the spec is wrong (422).</summary>
public sealed record TriggerRefusal(string Reason, string Message, bool ByPolicy);
