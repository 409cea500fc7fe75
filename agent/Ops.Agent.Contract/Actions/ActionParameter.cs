using System.Globalization;

namespace Ops.Agent.V1.Actions;

/// <summary>
/// One parameter of an action, as the operator checks it before a fan-out and the agent reads it when it
/// runs: the same bounds, default and message on both sides. Messages name the parameter.
/// </summary>
public sealed record ActionParameter(string Name, ParameterKind Kind, string Description)
{
    public bool Required { get; init; }

    /// <summary>The value when none is given (as text, as a user would write it); null when there is none.</summary>
    public string? Default { get; init; }

    /// <summary>Bounds of an <see cref="ParameterKind.Integer"/>, or of a <see cref="ParameterKind.Duration"/> in seconds.</summary>
    public double Min { get; init; }

    public double Max { get; init; } = double.MaxValue;

    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>A further rule on a present value (a regular expression that compiles); returns the problem or null.</summary>
    public Func<string, string?>? Rule { get; init; }

    /// <summary>Null when <paramref name="value"/> (null or empty: not given) is acceptable, else why not.</summary>
    public string? Problem(string? value)
    {
        if (string.IsNullOrEmpty(value)) return Required ? $"parameter \"{Name}\" is required" : null;
        var problem = Kind switch
        {
            ParameterKind.Integer => TryInteger(value, out _) ? null : $"must be a whole number from {Min:0} to {Max:0}, not \"{value}\"",
            ParameterKind.Duration => TryDuration(value, out _) ? null : $"must be a duration from {Min:0.###}s to {Max:0.###}s (like 500ms, 5s, 1m), not \"{value}\"",
            ParameterKind.Boolean => value is "true" or "false" ? null : $"must be true or false, not \"{value}\"",
            ParameterKind.Choice => Choices.Contains(value) ? null : $"must be {Listed(Choices)}, not \"{value}\"",
            _ => null,
        };
        if (problem is not null) return $"parameter \"{Name}\" {problem}";
        return Rule?.Invoke(value) is { } ruled ? $"parameter \"{Name}\" {ruled}" : null;
    }

    /// <summary>The value, or the default when none is given; throws <see cref="FormatException"/> with <see cref="Problem"/>'s message.</summary>
    public string? Text(string? value) => Checked(value) is { Length: > 0 } given ? given : Default;

    public int Integer(string? value) => TryInteger(Text(value) ?? throw NoDefault(), out var number) ? number : throw new FormatException(Problem(value));

    public TimeSpan Duration(string? value) => TryDuration(Text(value) ?? throw NoDefault(), out var duration) ? duration : throw new FormatException(Problem(value));

    public bool Boolean(string? value) => Text(value) == "true";

    private string? Checked(string? value) => Problem(value) is { } problem ? throw new FormatException(problem) : value;

    private InvalidOperationException NoDefault() => new($"parameter \"{Name}\" has neither a value nor a default");

    private bool TryInteger(string text, out int number) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number) && number >= Min && number <= Max;

    private bool TryDuration(string text, out TimeSpan duration)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        // Compared as seconds before any TimeSpan is made: 1e308s or NaN must be refused, not overflow.
        var ok = double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value * unit is var seconds && seconds >= Min && seconds <= Max;
        duration = ok ? TimeSpan.FromSeconds(value * unit) : default;
        return ok;
    }

    internal static string Listed(IReadOnlyList<string> values) => values.Count switch
    {
        0 => "",
        1 => values[0],
        _ => $"{string.Join(", ", values.Take(values.Count - 1))} or {values[^1]}",
    };
}
