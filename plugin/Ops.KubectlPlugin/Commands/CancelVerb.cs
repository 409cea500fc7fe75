using System.CommandLine;
using Ops.KubectlPlugin.Cli;

namespace Ops.KubectlPlugin.Commands;

/// <summary>kubectl ops cancel: sets spec.cancel, which stops the targets still running.</summary>
public static class CancelVerb
{
    public static Command Create(PluginContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The DiagnosticCommand." };
        var command = new Command("cancel", """
            Cancel a DiagnosticCommand: targets still running are stopped, finished ones keep their results.

            Example:
              kubectl ops cancel -n shop dotnet-trace-x7k2p
            """) { name };
        command.SetAction((parsed, ct) => context.RunAsync(parsed, async (session, api, token) =>
        {
            var patched = await api.PatchCommandAsync(parsed.GetValue(name)!, """{"spec":{"cancel":true}}""", token);
            await context.Terminal.Output.WriteLineAsync($"diagnosticcommand.ops.dev/{patched.Metadata.Name} cancelled ({patched.Status?.Phase ?? "Pending"}, {CommandFollower.Counts(patched.Status?.Targets)})");
            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
