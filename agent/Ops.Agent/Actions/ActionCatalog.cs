namespace Ops.Agent.Actions;

/// <summary>The actions this agent runs, by name.</summary>
public sealed class ActionCatalog(IEnumerable<IAgentAction> actions)
{
    private readonly Dictionary<string, IAgentAction> _byName = actions.ToDictionary(a => a.Name, StringComparer.Ordinal);

    public IReadOnlyList<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

    public bool TryGet(string name, out IAgentAction action) => _byName.TryGetValue(name, out action!);

    /// <summary>The parameters the action takes; none for an unknown one.</summary>
    public IReadOnlyList<string> ParametersOf(string name) => _byName.TryGetValue(name, out var action) ? action.Definition.ParameterNames : [];
}
