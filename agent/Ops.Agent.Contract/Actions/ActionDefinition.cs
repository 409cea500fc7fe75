namespace Ops.Agent.V1.Actions;

/// <summary>An action of the catalogue: its name, the parameters it takes, its group (<see cref="ActionGroups"/>).</summary>
/// <param name="OpenParameters">Takes parameters besides its own, checked by the agent alone (a script's declared parameters).</param>
public sealed record ActionDefinition(string Name, string Description, IReadOnlyList<ActionParameter> Parameters, string Group = ActionGroups.ReadOnly, bool OpenParameters = false)
{
    /// <summary>A capture stored as an artifact, which may pause its process or hold its memory.</summary>
    public bool Heavy => Group == ActionGroups.DotnetHeavy;

    public IReadOnlyList<string> ParameterNames => [.. Parameters.Select(p => p.Name)];

    public ActionParameter? Parameter(string name) => Parameters.FirstOrDefault(p => p.Name == name);

    /// <summary>Every problem of <paramref name="values"/>, each naming its parameter; empty when they are acceptable.</summary>
    public IReadOnlyList<string> Problems(IReadOnlyDictionary<string, string>? values)
    {
        values ??= new Dictionary<string, string>();
        var problems = Parameters.Select(p => p.Problem(values.GetValueOrDefault(p.Name))).OfType<string>().ToList();
        if (!OpenParameters)
        {
            problems.AddRange(values.Keys.Where(k => Parameter(k) is null).Order(StringComparer.Ordinal).Select(k =>
                $"parameter \"{k}\" is not one {Name} takes ({(Parameters.Count == 0 ? "it takes none" : ActionParameter.Listed(ParameterNames))})"));
        }
        return problems;
    }
}
