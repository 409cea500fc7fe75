using Spectre.Console;

namespace Ops.KubectlPlugin.Cli;

/// <summary>
/// Where output goes: live progress and colour only on a terminal (and no colour with NO_COLOR set); piped, plain
/// lines that a script can read, the same every time.
/// </summary>
public sealed class Terminal(TextWriter output, TextWriter error, bool interactive, bool colour)
{
    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>Standard output is a terminal: progress is drawn live and redrawn in place.</summary>
    public bool Interactive { get; } = interactive;

    public bool Colour { get; } = colour;

    public static Terminal FromEnvironment()
    {
        var interactive = !System.Console.IsOutputRedirected;
        var colour = interactive && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) && Environment.GetEnvironmentVariable("TERM") != "dumb";
        return new(System.Console.Out, System.Console.Error, interactive, colour);
    }

    /// <summary>A Spectre console on standard output, with the colour and interaction this terminal allows.</summary>
    public IAnsiConsole Console() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = Colour ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = Interactive ? InteractionSupport.Yes : InteractionSupport.No,
        Out = new AnsiConsoleOutput(Output),
    });

    /// <summary>A phase coloured for a terminal, plain otherwise.</summary>
    public string Phase(string? phase)
    {
        var text = phase ?? "Pending";
        if (!Colour) return text;
        var colour = text switch
        {
            "Succeeded" => "green",
            "Failed" or "PartiallyFailed" or "RolledBack" => "red",
            "Cancelled" or "Paused" or "RollingBack" => "yellow",
            _ => "blue",
        };
        return $"\u001b[{colour switch { "green" => 32, "red" => 31, "yellow" => 33, _ => 34 }}m{text}\u001b[0m";
    }
}
