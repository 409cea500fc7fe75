namespace Ops.Agent.Actions;

/// <summary>One typed parameter of a named script: string (checked against Pattern), integer or boolean.</summary>
public sealed class ScriptParameter
{
    public string Type { get; set; } = "string";
    /// <summary>For strings; the default allows a conservative set of characters.</summary>
    public string Pattern { get; set; } = "^[A-Za-z0-9._/:=-]{0,256}$";
    public bool Required { get; set; }
    public string? Default { get; set; }
}
