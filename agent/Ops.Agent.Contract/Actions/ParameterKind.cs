namespace Ops.Agent.V1.Actions;

/// <summary>What a parameter's text must be; every value travels as text in <c>spec.parameters</c>.</summary>
public enum ParameterKind
{
    /// <summary>Any text (checked further by the parameter's own rule, when it has one).</summary>
    Text,

    /// <summary>A whole number within the parameter's bounds.</summary>
    Integer,

    /// <summary>"500ms", "5s", "2m" or plain seconds, within the parameter's bounds (in seconds).</summary>
    Duration,

    /// <summary>"true" or "false".</summary>
    Boolean,

    /// <summary>One of the parameter's choices.</summary>
    Choice,
}
