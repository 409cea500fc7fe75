using k8s.Models;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>
/// What one evaluation of a trigger reads: its spec and status, the pods its selector matches now, whether it may
/// fire at all (not while suspended or expired: <paramref name="NotFiring"/> says why), and how many more triggered
/// commands the operator-wide budget allows to run; for a counter condition, what the agents reported.
/// </summary>
public sealed record TriggerInput(
    string Trigger,
    V1Alpha1DiagnosticTrigger.TriggerSpec Spec,
    DateTimeOffset CreatedAt,
    V1Alpha1DiagnosticTrigger.TriggerStatus? Status,
    IReadOnlyList<V1Pod> Pods,
    string? NotFiring,
    int BudgetLeft,
    int Budget,
    DateTimeOffset Now,
    CounterReadings? Counters = null);
