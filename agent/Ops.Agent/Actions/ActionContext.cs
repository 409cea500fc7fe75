using Ops.Agent.Hosting;
using Ops.Agent.V1;

namespace Ops.Agent.Actions;

/// <summary>What an action runs with: its parameters, its target and the agent's settings.</summary>
public sealed record ActionContext(IReadOnlyDictionary<string, string> Parameters, Target Target, AgentOptions Options)
{
    public string? Optional(string name) => Parameters.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public string Required(string name) => Optional(name) ?? throw new ActionParameterException($"parameter \"{name}\" is required");

    public int Integer(string name, int fallback, int min, int max)
    {
        var text = Optional(name);
        if (text is null) return fallback;
        return int.TryParse(text, out var value) && value >= min && value <= max
            ? value
            : throw new ActionParameterException($"parameter \"{name}\" must be a whole number from {min} to {max}, not \"{text}\"");
    }
}
