namespace Ops.Operator.Api.Schema;

/// <summary>The API server fills this value in when the field is absent (OpenAPI <c>default</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DefaultAttribute(object value) : Attribute
{
    public object Value { get; } = value;
}
