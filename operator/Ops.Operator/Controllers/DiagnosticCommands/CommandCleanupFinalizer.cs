using Ops.ControllerRuntime.Controllers;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// Held while a command's targets may be running (added when it starts, removed when it finishes), so a
/// deletion first cancels them on their agents: through the fan-out running here, or, after an operator
/// restart, through the plan's nodes.
/// </summary>
public sealed class CommandCleanupFinalizer(CommandRuns runs, CommandPlans plans, CommandFanOut fanOut, TimeProvider clock) : IFinalizer<V1Alpha1DiagnosticCommand>
{
    public const string FinalizerName = "ops.dev/command-cleanup";

    /// <summary>How long a deletion waits for the running fan-out to cancel its targets before the command may go.</summary>
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(10);

    public string Name => FinalizerName;

    public async Task FinalizeAsync(V1Alpha1DiagnosticCommand command, CancellationToken cancellationToken)
    {
        if (runs.Find(command.Metadata.Uid) is { } run)
        {
            run.Cancel();
            await Task.WhenAny(run.Completion, Task.Delay(CancelGrace, clock, cancellationToken));
            runs.Forget(command.Metadata.Uid);
        }
        else if (await plans.LoadAsync(command, cancellationToken) is { } plan)
        {
            await fanOut.CancelCommandAsync(command.Metadata.Uid, plan.Targets.Select(t => t.Node), cancellationToken);
        }
    }
}
