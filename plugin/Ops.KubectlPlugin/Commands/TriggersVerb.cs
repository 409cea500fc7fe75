using System.CommandLine;
using Ops.KubectlPlugin.Cli;
using Ops.KubectlPlugin.Output;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.KubectlPlugin.Commands;

/// <summary>kubectl ops triggers: the namespace's DiagnosticTriggers, or one with each pod's state and why it is not firing.</summary>
public static class TriggersVerb
{
    public static Command Create(PluginContext context)
    {
        var name = new Argument<string?>("NAME") { Description = "A DiagnosticTrigger; every one in the namespace when not given.", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--output", "-o") { Description = "table, yaml or json.", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong(ObjectPrinter.Formats);
        var command = new Command("triggers", """
            The namespace's DiagnosticTriggers, or one of them: each pod's state and why it is not firing, and its last firings.

            Examples:
              kubectl ops triggers -n shop
              kubectl ops triggers -n shop checkout-hot
            """) { name, output };
        command.SetAction((parsed, ct) => context.RunAsync(parsed, async (session, api, token) =>
        {
            var terminal = context.Terminal;
            if (parsed.GetValue(name) is { } one)
            {
                var trigger = await api.GetTriggerAsync(one, token);
                if (ObjectPrinter.TryWrite(terminal.Output, parsed.GetValue(output)!, trigger)) return ExitCodes.Success;
                var status = trigger.Status;
                await terminal.Output.WriteLineAsync($"{trigger.Metadata.Name}: {status?.ConditionSummary}; fired {status?.Totals?.Fired ?? 0}, held back {status?.Totals?.Withheld ?? 0}");
                foreach (var condition in status?.Conditions ?? []) await terminal.Output.WriteLineAsync($"  {condition.Type}={condition.Status} {condition.Reason}: {condition.Message}");
                await terminal.Output.WriteLineAsync();
                Columns.Write(terminal.Output, ["POD", "STATE", "VALUE", "FIRED", "WHY"], (status?.Pods ?? []).Select(p => (IReadOnlyList<string>)
                    [p.Pod, p.State, p.Value ?? "", $"{p.FiredInWindow ?? 0}", p.Message ?? ""]), terminal.Interactive ? 160 : null);
                if (status?.OmittedPods is > 0 and var omitted) await terminal.Output.WriteLineAsync($"({omitted} more pods)");
                if (status?.Firings is { Count: > 0 } firings)
                {
                    await terminal.Output.WriteLineAsync();
                    Columns.Write(terminal.Output, ["TIME", "POD", "OUTCOME", "COMMAND", "MESSAGE"], firings.OrderByDescending(f => f.Time).Take(20).Select(f => (IReadOnlyList<string>)
                        [f.Time.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), f.Pod, f.Outcome, f.Command ?? "", f.Message ?? ""]));
                }
                return ExitCodes.Success;
            }
            var all = await api.ListTriggersAsync(token);
            if (ObjectPrinter.TryWrite(terminal.Output, parsed.GetValue(output)!, all)) return ExitCodes.Success;
            if (all.Count == 0)
            {
                await terminal.Error.WriteLineAsync($"No DiagnosticTriggers in {session.Namespace}.");
                return ExitCodes.Success;
            }
            Columns.Write(terminal.Output, ["NAME", "CONDITION", "PODS", "HOLDING", "FIRED", "HELD BACK", "LAST FIRED"], all.Select(t => (IReadOnlyList<string>)
            [
                t.Metadata.Name, t.Status?.ConditionSummary ?? "", $"{t.Status?.Totals?.Pods ?? 0}", $"{t.Status?.Totals?.Holding ?? 0}", $"{t.Status?.Totals?.Fired ?? 0}",
                $"{t.Status?.Totals?.Withheld ?? 0}", GetVerb.Age(t.Status?.LastFiredTime) is { Length: > 0 } age ? $"{age} ago" : "never",
            ]));
            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
