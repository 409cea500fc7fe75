using Ops.Agent.Hosting;
using Ops.Agent.V1;

namespace Ops.Agent.Actions;

/// <summary>
/// What an action runs with: its parameters, its target, the agent's settings, and which execution it is (for naming
/// artifacts). With <paramref name="Declared"/>, reading a parameter the action does not declare is a programming error.
/// </summary>
public sealed record ActionContext(IReadOnlyDictionary<string, string> Parameters, Target Target, AgentOptions Options, string CommandUid = "", string TargetKey = "",
    IReadOnlyList<string>? Declared = null)
{
    public string? Optional(string name)
    {
        if (Declared is not null && !Declared.Contains(name)) throw new InvalidOperationException($"the action reads parameter \"{name}\", which it does not declare");
        return Parameters.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
    }

    public string Required(string name) => Optional(name) ?? throw new ActionParameterException($"parameter \"{name}\" is required");

    public int Integer(string name, int fallback, int min, int max)
    {
        var text = Optional(name);
        if (text is null) return fallback;
        return int.TryParse(text, out var value) && value >= min && value <= max
            ? value
            : throw new ActionParameterException($"parameter \"{name}\" must be a whole number from {min} to {max}, not \"{text}\"");
    }

    /// <summary>A duration parameter: "500ms", "5s", "2m", or plain seconds.</summary>
    public TimeSpan Duration(string name, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        var text = Optional(name);
        if (text is null) return fallback;
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        // Compared as seconds before any TimeSpan is made: 1e308s or NaN must be refused, not overflow.
        return double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            && value * unit is var seconds && seconds >= min.TotalSeconds && seconds <= max.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new ActionParameterException($"parameter \"{name}\" must be a duration from {min.TotalSeconds:0.###}s to {max.TotalSeconds:0.###}s (like 500ms, 5s, 1m), not \"{text}\"");
    }
}
