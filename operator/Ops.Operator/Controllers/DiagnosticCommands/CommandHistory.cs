using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// The finished commands an owner keeps (a ScheduledTask's runs, a DiagnosticTrigger's firings), as a CronJob keeps
/// Jobs: the newest succeeded and failed ones up to their limits; older ones are deleted with their outputs.
/// </summary>
public static class CommandHistory
{
    public static async Task PruneAsync(CustomResourceClient<V1Alpha1DiagnosticCommand> commands, IEnumerable<V1Alpha1DiagnosticCommand> owned, int successfulLimit, int failedLimit, CancellationToken cancellationToken)
    {
        var finished = owned.Where(c => c.Status?.CompletionTime is not null && c.Metadata.DeletionTimestamp is null).OrderByDescending(c => c.Status!.CompletionTime).ToList();
        var succeeded = finished.Where(c => c.Status!.Phase == CommandPhase.Succeeded).Skip(successfulLimit);
        var failed = finished.Where(c => c.Status!.Phase != CommandPhase.Succeeded).Skip(failedLimit);
        foreach (var old in succeeded.Concat(failed)) await commands.DeleteAsync(old, cancellationToken);
    }
}
