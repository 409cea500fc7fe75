using Ops.Agent.Hosting;
using Ops.Agent.V1;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>
/// What an action runs with: its parameters, its target, the agent's settings, and which execution it is (for naming
/// artifacts). Parameters are read through the catalogue's definitions (<see cref="ActionCatalogue"/>): the
/// same defaults, bounds and messages the operator checked before the fan-out.
/// </summary>
public sealed record ActionContext(IReadOnlyDictionary<string, string> Parameters, Target Target, AgentOptions Options, string CommandUid = "", string TargetKey = "")
{
    /// <summary>The value given, else the parameter's default (null when it has none).</summary>
    public string? Text(ActionParameter parameter) => Read(parameter, p => p.Text(Parameters.GetValueOrDefault(p.Name)));

    /// <summary>The value given or the default; a required parameter missing fails the target.</summary>
    public string Required(ActionParameter parameter) => Text(parameter) ?? throw new ActionParameterException($"parameter \"{parameter.Name}\" is required");

    public int Integer(ActionParameter parameter) => Read(parameter, p => p.Integer(Parameters.GetValueOrDefault(p.Name)));

    public TimeSpan Duration(ActionParameter parameter) => Read(parameter, p => p.Duration(Parameters.GetValueOrDefault(p.Name)));

    public bool Flag(ActionParameter parameter) => Read(parameter, p => p.Boolean(Parameters.GetValueOrDefault(p.Name)));

    private static T Read<T>(ActionParameter parameter, Func<ActionParameter, T> read)
    {
        try
        {
            return read(parameter);
        }
        catch (FormatException e)
        {
            throw new ActionParameterException(e.Message);
        }
    }
}
