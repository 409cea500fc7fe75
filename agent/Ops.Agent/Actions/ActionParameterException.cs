namespace Ops.Agent.Actions;

/// <summary>A parameter the action cannot accept; the target fails with this message and nothing runs.</summary>
public sealed class ActionParameterException(string message) : Exception(message);
