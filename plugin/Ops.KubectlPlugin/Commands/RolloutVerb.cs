using System.CommandLine;
using Ops.KubectlPlugin.Cli;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.KubectlPlugin.Commands;

/// <summary>kubectl ops rollout: follow an AgentVersion's rollout, approve its paused step, pause and resume it.</summary>
public static class RolloutVerb
{
    public static Command Create(PluginContext context)
    {
        var rollout = new Command("rollout", """
            An AgentVersion's rollout over the agent fleet.

            Examples:
              kubectl ops rollout status agent-1.3.0
              kubectl ops rollout approve agent-1.3.0
              kubectl ops rollout pause agent-1.3.0
              kubectl ops rollout resume agent-1.3.0
            """);
        rollout.Subcommands.Add(Status(context));
        rollout.Subcommands.Add(Patch(context, "approve", "Let the rollout go on after the step it paused at (sets the ops.dev/approved-step annotation to that step).\n\nExample:\n  kubectl ops rollout approve agent-1.3.0", approve: true));
        rollout.Subcommands.Add(Patch(context, "pause", "Hold the rollout where it is (spec.paused: true).\n\nExample:\n  kubectl ops rollout pause agent-1.3.0", paused: true));
        rollout.Subcommands.Add(Patch(context, "resume", "Let a held rollout go on (spec.paused: false).\n\nExample:\n  kubectl ops rollout resume agent-1.3.0", paused: false));
        return rollout;
    }

    private static Command Status(PluginContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The AgentVersion." };
        var once = new Option<bool>("--no-follow") { Description = "Print the status once instead of following it." };
        var command = new Command("status", "Follow the rollout: its step, updated, ready and failed nodes, until it ends or waits for approval. Exits 0 when it succeeded or waits, 1 when it failed or rolled back.\n\nExamples:\n  kubectl ops rollout status agent-1.3.0\n  kubectl ops rollout status agent-1.3.0 --no-follow") { name, once };
        command.SetAction((parsed, ct) => context.RunAsync(parsed, async (_, api, token) =>
        {
            string? said = null;
            while (true)
            {
                var version = await api.GetAgentVersionAsync(parsed.GetValue(name)!, token);
                var line = Line(version);
                if (line != said) await context.Terminal.Output.WriteLineAsync(said = line);
                var phase = version.Status?.Phase;
                if (phase is RolloutPhase.Failed or RolloutPhase.RolledBack) return ExitCodes.Failed;
                if (parsed.GetValue(once) || phase is RolloutPhase.Succeeded or RolloutPhase.Paused) return ExitCodes.Success;
                await Task.Delay(TimeSpan.FromSeconds(2), token);
            }
        }, ct));
        return command;
    }

    /// <summary>One line of a rollout's state, and what it waits for.</summary>
    public static string Line(V1Alpha1AgentVersion version)
    {
        var s = version.Status;
        var failed = s?.FailedNodes is { Count: > 0 } nodes ? $", failed: {string.Join(", ", nodes)}" : "";
        var progressing = s?.Conditions?.FirstOrDefault(c => c.Type == "Progressing")?.Message;
        return $"{version.Metadata.Name} {version.Spec.Version}: {s?.Phase ?? "Pending"}, step {s?.CurrentStep ?? 0}/{s?.TotalSteps ?? 0}, {s?.UpdatedNodes ?? 0}/{s?.TotalNodes ?? 0} nodes updated, {s?.ReadyNodes ?? 0} ready{failed}{(progressing is null ? "" : $" ({progressing})")}";
    }

    private static Command Patch(PluginContext context, string verb, string description, bool approve = false, bool? paused = null)
    {
        var name = new Argument<string>("NAME") { Description = "The AgentVersion." };
        var command = new Command(verb, description) { name };
        command.SetAction((parsed, ct) => context.RunAsync(parsed, async (_, api, token) =>
        {
            var version = await api.GetAgentVersionAsync(parsed.GetValue(name)!, token);
            string patch;
            if (approve)
            {
                if (version.Status?.Phase != RolloutPhase.Paused || version.Status.CurrentStep is not { } step)
                {
                    throw PluginException.Usage($"{version.Metadata.Name} is {version.Status?.Phase ?? "not started"}, not paused after a step: nothing to approve");
                }
                patch = System.Text.Json.JsonSerializer.Serialize(new { metadata = new { annotations = new Dictionary<string, string> { [V1Alpha1AgentVersion.ApprovedStepAnnotation] = $"{step}" } } });
                await api.PatchAgentVersionAsync(version.Metadata.Name, patch, token);
                await context.Terminal.Output.WriteLineAsync($"agentversion.ops.dev/{version.Metadata.Name}: step {step} approved; the rollout goes on");
                return ExitCodes.Success;
            }
            patch = System.Text.Json.JsonSerializer.Serialize(new { spec = new { paused = paused == true } });
            await api.PatchAgentVersionAsync(version.Metadata.Name, patch, token);
            await context.Terminal.Output.WriteLineAsync($"agentversion.ops.dev/{version.Metadata.Name} {(paused == true ? "paused" : "resumed")}");
            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
