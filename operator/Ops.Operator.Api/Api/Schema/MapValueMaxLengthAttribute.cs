namespace Ops.Operator.Api.Schema;

/// <summary>Caps the length of every value of a string map, so one parameter cannot bloat the object.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MapValueMaxLengthAttribute(int maxLength) : Attribute
{
    public int MaxLength { get; } = maxLength;
}
