using System.CommandLine;
using Ops.Agent.V1.Actions;
using Ops.KubectlPlugin.Cli;
using Ops.KubectlPlugin.Output;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.KubectlPlugin.Commands;

/// <summary>kubectl ops run: creates a DiagnosticCommand, follows its targets and ends with their results.</summary>
public static class RunVerb
{
    /// <summary>Up to this many targets, each one's whole output follows the table.</summary>
    public const int MaxOutputsShown = 10;

    public static Command Create(PluginContext context)
    {
        var action = new Argument<string>("ACTION") { Description = "The action (kubectl ops run --help lists them; an unknown one is answered with the list)." };
        action.CompletionSources.Add(_ => ActionCatalogue.All.Select(a => new System.CommandLine.Completions.CompletionItem(a.Name, detail: a.Description)));
        var names = new Argument<string[]>("NAME") { Description = "Pods by name (or nodes by name, with --nodes).", Arity = ArgumentArity.ZeroOrMore };
        var selector = new Option<string?>("--selector", "-l") { Description = "A label selector, as kubectl takes it: app=checkout,tier!=cache." };
        var nodes = new Option<bool>("--nodes") { Description = "Run on nodes (names, or -l selecting nodes) instead of pods." };
        var container = new Option<string?>("--container", "-c") { Description = "The pods' container (every container when not given)." };
        var parameters = new Option<string[]>("--param", "-p") { Description = "An action parameter KEY=VALUE; repeat for more.", AllowMultipleArgumentsPerToken = false };
        var sample = new Option<string?>("--sample") { Description = "Run on a sample of the targets: one, a count (2), or a percentage (10%)." };
        var parallelism = new Option<int?>("--parallelism") { Description = "At most this many targets at once." };
        var timeout = new Option<string?>("--timeout") { Description = "Each target's time limit: 30s, 5m, 1h (default 60s)." };
        var noWait = new Option<bool>("--no-wait") { Description = "Print the command's name and return once it is created." };
        var wait = new Option<bool>("--wait") { Description = "Follow the command until it ends (the default)." };
        var brief = new Option<bool>("--brief") { Description = "The table only: no target's whole output below it (shown for up to 10 targets)." };
        var output = new Option<string>("--output", "-o") { Description = "table, yaml or json.", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong(ObjectPrinter.Formats);

        var command = new Command("run", """
            Run an action on pods or nodes and follow it: a live bar of its targets (pending, running, succeeded, failed),
            then a table of results and, for up to 10 targets, each one's whole output. Exits 0 when every target succeeded, 1 when any failed, 2 for bad usage (nothing is
            created), 3 when the cluster cannot be reached or refuses.

            Examples:
              kubectl ops run dotnet.stacks -n shop -l app=checkout
              kubectl ops run dotnet.counters -n shop checkout-6d9f-abcde -c api -p duration=10s
              kubectl ops run dotnet.dump -n shop -l app=checkout --sample one -p type=heap --timeout 5m
              kubectl ops run node.info -n ops-system --nodes -l kubernetes.io/os=linux -o json
            """)
        {
            action, names, selector, nodes, container, parameters, sample, parallelism, timeout, noWait, wait, brief, output,
        };
        command.SetAction((parsed, ct) => context.RunAsync(parsed, async (session, api, token) =>
        {
            var request = new RunRequest(parsed.GetValue(action)!, parsed.GetValue(names) ?? [], parsed.GetValue(selector), parsed.GetValue(nodes), parsed.GetValue(container),
                parsed.GetValue(parameters) ?? [], parsed.GetValue(sample), parsed.GetValue(parallelism), parsed.GetValue(timeout));
            if (parsed.GetValue(noWait) && parsed.GetValue(wait)) throw PluginException.Usage("--wait and --no-wait together");
            var created = await api.CreateCommandAsync(request.ToCommand(session.Namespace), token);
            var name = created.Metadata.Name;
            await context.Terminal.Error.WriteLineAsync($"diagnosticcommand.ops.dev/{name} created in {session.Namespace}");
            if (parsed.GetValue(noWait))
            {
                if (!ObjectPrinter.TryWrite(context.Terminal.Output, parsed.GetValue(output)!, created)) await context.Terminal.Output.WriteLineAsync(name);
                return ExitCodes.Success;
            }
            var done = await new CommandFollower(api, context.Terminal).FollowAsync(name, token);
            if (ObjectPrinter.TryWrite(context.Terminal.Output, parsed.GetValue(output)!, done)) return ExitCodeOf(done);
            await WriteOutcomeAsync(context.Terminal, done);
            if (done.Status?.Results is { Count: > 0 and <= MaxOutputsShown } results && !parsed.GetValue(brief))
            {
                await context.Terminal.Output.WriteLineAsync();
                await FullOutputs.WriteAsync(context.Terminal, api, session.Namespace, results, token);
            }
            else if (done.Status?.Results is { Count: > MaxOutputsShown })
            {
                await context.Terminal.Error.WriteLineAsync($"every target's whole output: kubectl ops results -n {session.Namespace} {name} --full");
            }
            return ExitCodeOf(done);
        }, ct));
        return command;
    }

    /// <summary>The results table, and when there are none the command's conditions (why it found no target, or was refused).</summary>
    public static async Task WriteOutcomeAsync(Terminal terminal, V1Alpha1DiagnosticCommand command)
    {
        if (command.Status?.Results is { Count: > 0 })
        {
            ResultRows.Write(terminal, command);
            return;
        }
        foreach (var condition in command.Status?.Conditions ?? [])
        {
            await terminal.Error.WriteLineAsync($"{condition.Type}={condition.Status} {condition.Reason}: {condition.Message}");
        }
    }

    public static int ExitCodeOf(V1Alpha1DiagnosticCommand command) =>
        command.Status?.Phase == CommandPhase.Succeeded && command.Status.Targets?.Failed is null or 0 ? ExitCodes.Success : ExitCodes.Failed;
}
