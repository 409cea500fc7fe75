namespace Ops.Agent.Artifacts;

/// <summary>An artifact would take the store past its disk budget.</summary>
public sealed class ArtifactBudgetException(string message) : Exception(message);
