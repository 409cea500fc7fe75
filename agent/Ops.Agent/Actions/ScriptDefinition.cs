namespace Ops.Agent.Actions;

/// <summary>
/// A named script from configuration (Agent:Scripts:NAME): the executable, its argument list with
/// {parameter} placeholders, and the typed parameters it accepts. Nothing else can be run.
/// </summary>
public sealed class ScriptDefinition
{
    public string Path { get; set; } = "";
    public List<string> Arguments { get; set; } = [];
    public Dictionary<string, ScriptParameter> Parameters { get; set; } = [];
}
