namespace Ops.Sandbox.Selection;

/// <summary>One requirement of a label selector: key, operator (=, !=, in, notin, exists, !, gt, lt) and values.</summary>
internal sealed record LabelRequirement(string Key, string Operator, IReadOnlyList<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var has = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            "=" or "==" or "in" => has && Values.Contains(value),
            "!=" or "notin" => !has || !Values.Contains(value),
            "exists" => has,
            "!" => !has,
            "gt" => has && long.TryParse(value, out var v1) && v1 > long.Parse(Values[0]),
            "lt" => has && long.TryParse(value, out var v2) && v2 < long.Parse(Values[0]),
            _ => false,
        };
    }
}
