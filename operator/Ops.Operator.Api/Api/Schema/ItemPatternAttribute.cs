namespace Ops.Operator.Api.Schema;

/// <summary>The pattern and length every item of a string list must match, checked by the API server at create.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ItemPatternAttribute(string pattern, int maxLength) : Attribute
{
    public string Pattern { get; } = pattern;

    public int MaxLength { get; } = maxLength;
}
