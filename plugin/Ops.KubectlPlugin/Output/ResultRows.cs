using System.Globalization;
using Ops.KubectlPlugin.Cli;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.KubectlPlugin.Output;

/// <summary>A command's results as a table: one row per target with its node, phase, time and the first line of what it said.</summary>
public static class ResultRows
{
    public static readonly IReadOnlyList<string> Headers = ["TARGET", "NODE", "PHASE", "DURATION", "OUTPUT"];

    public static void Write(Terminal terminal, V1Alpha1DiagnosticCommand command)
    {
        var results = command.Status?.Results ?? [];
        Columns.Write(terminal.Output, Headers, results.Select(r => (IReadOnlyList<string>)
        [
            TargetOf(r.Target), r.Target.Node ?? "", terminal.Phase(r.Phase), Duration(r.DurationMs), FirstLine(r.Phase == CommandPhase.Succeeded ? r.Summary : r.Message ?? r.Summary),
        ]), terminal.Interactive ? Math.Max(80, SafeWidth()) : null);
        if (command.Status?.OmittedResults is > 0 and var omitted) terminal.Output.WriteLine($"({omitted} more results are not kept in the status)");
    }

    /// <summary>pod/container for a pod's target, node/NAME for a node's.</summary>
    public static string TargetOf(V1Alpha1DiagnosticCommand.TargetRef target) =>
        target.Pod is { } pod ? $"{pod}/{target.Container}" : $"node/{target.Node}";

    public static string Duration(long? milliseconds) => milliseconds is { } ms
        ? ms < 1000 ? $"{ms}ms" : string.Create(CultureInfo.InvariantCulture, $"{ms / 1000.0:0.#}s")
        : "";

    public static string FirstLine(string? text) => text is null ? "" : text.Split('\n', 2)[0].TrimEnd('\r');

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth;
        }
        catch (IOException)
        {
            return 120;
        }
    }
}
