using Ops.Operator.Policies;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// Whether a command starts now: with its targets and what its policies allow it (<see cref="Place"/> holds its
/// place among the namespace's running commands until its fan-out runs); not at all (Reason and Message); or later
/// (Waiting says why, and it is looked at again after <see cref="RetryAfter"/>).
/// </summary>
public sealed record StartDecision(TargetPlan Plan, IReadOnlyList<NamedPolicy> Policies, IDisposable? Place = null, string? Waiting = null, TimeSpan RetryAfter = default)
{
    public static StartDecision Refused(TargetPlan invalid) => new(invalid, []);

    public static StartDecision Later(string? why, TimeSpan after) => new(TargetPlan.Invalid("Waiting", why ?? ""), [], Waiting: why, RetryAfter: after);

    public bool IsWaiting => RetryAfter > TimeSpan.Zero;
}
