using Ops.Operator.Api.V1Alpha1;
using Spectre.Console;

namespace Ops.KubectlPlugin.Cli;

/// <summary>
/// Follows a DiagnosticCommand until it is final (Succeeded, PartiallyFailed, Failed or Cancelled), reading it once a
/// second: on a terminal as a live bar of its targets, piped as one line each time the counts change.
/// </summary>
public sealed class CommandFollower(Api api, Terminal terminal)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static bool IsFinal(V1Alpha1DiagnosticCommand command) =>
        command.Status?.Phase is CommandPhase.Succeeded or CommandPhase.PartiallyFailed or CommandPhase.Failed or CommandPhase.Cancelled;

    public static string Counts(V1Alpha1DiagnosticCommand.TargetCounts? counts) => counts is null
        ? "resolving targets"
        : $"{counts.Succeeded + counts.Failed}/{counts.Total} done: {counts.Succeeded} succeeded, {counts.Failed} failed, {counts.Running} running, {counts.Pending} pending";

    /// <summary>The bar's label, short enough for an 80-column terminal beside the bar (the name was printed above it).</summary>
    public static string Short(V1Alpha1DiagnosticCommand command) => command.Status?.Targets is { } c
        ? $"{command.Status.Phase ?? CommandPhase.Pending} {c.Succeeded + c.Failed}/{c.Total} done: {c.Failed} failed, {c.Running} running"
        : $"{command.Status?.Phase ?? CommandPhase.Pending}: resolving targets";

    public async Task<V1Alpha1DiagnosticCommand> FollowAsync(string name, CancellationToken cancellationToken)
    {
        if (!terminal.Interactive) return await FollowPlainAsync(name, cancellationToken);
        V1Alpha1DiagnosticCommand? last = null;
        await terminal.Console().Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask(name, maxValue: 1);
                while (true)
                {
                    last = await api.GetCommandAsync(name, cancellationToken);
                    var counts = last.Status?.Targets;
                    bar.MaxValue = Math.Max(1, counts?.Total ?? 1);
                    bar.Value = (counts?.Succeeded ?? 0) + (counts?.Failed ?? 0);
                    bar.Description = Markup.Escape(Short(last));
                    if (IsFinal(last))
                    {
                        bar.Value = bar.MaxValue;
                        bar.StopTask();
                        return;
                    }
                    await Task.Delay(Interval, cancellationToken);
                }
            });
        return last!;
    }

    private async Task<V1Alpha1DiagnosticCommand> FollowPlainAsync(string name, CancellationToken cancellationToken)
    {
        string? said = null;
        while (true)
        {
            var command = await api.GetCommandAsync(name, cancellationToken);
            var line = $"{name}: {command.Status?.Phase ?? CommandPhase.Pending}, {Counts(command.Status?.Targets)}";
            if (line != said) await terminal.Error.WriteLineAsync(said = line);
            if (IsFinal(command)) return command;
            await Task.Delay(Interval, cancellationToken);
        }
    }
}
