using Microsoft.Extensions.Logging;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Hosting;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>Says on a command that the operator's own RBAC refused a call it needs.</summary>
public sealed class CommandPermissionDenied(CustomResourceClient<V1Alpha1DiagnosticCommand> api, EventRecorder events, TimeProvider clock, ILogger<CommandPermissionDenied> logger)
{
    /// <summary>
    /// A call the command needs was refused by the operator's own RBAC: not the command's fault, and no crash either.
    /// The command says so in a condition and an Event, and is tried again 10 seconds later (a grant may be added).
    /// </summary>
    public async Task<ReconcileResult> ReportAsync(V1Alpha1DiagnosticCommand command, string message, CancellationToken cancellationToken)
    {
        CommandLog.PermissionDenied(logger, command.Metadata.NamespaceProperty, command.Metadata.Name, message);
        var text = $"the operator's service account may not make a call this command needs ({message}); grant it in the operator's ClusterRole (charts/ops/templates/rbac.yaml)";
        var already = Conditions.Find(command.Status?.Conditions, ConditionTypes.PermissionDenied)?.Message == text;
        try
        {
            var written = (await api.ChangeStatusAsync(command, (V1Alpha1DiagnosticCommand.CommandStatus status) =>
            {
                status.Phase ??= CommandPhase.Pending;
                Conditions.Set(status.Conditions!, ConditionTypes.PermissionDenied, true, "Forbidden", text, command.Metadata.Generation, clock.GetUtcNow());
            }, cancellationToken)).Stored;
            if (written is not null && !already) await events.RecordAsync(written, EventRecorder.Warning, "PermissionDenied", text, cancellationToken);
        }
        catch (Exception e) when (ApiErrors.IsForbidden(e))
        {
            // Not even its status may be written: the log line above is all there is to say.
        }
        return ReconcileResult.After(TimeSpan.FromSeconds(10));
    }
}
