namespace Ops.Operator.Api.Schema;

/// <summary>The field accepts an integer or a string such as "10%" (x-kubernetes-int-or-string).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class IntOrStringAttribute : Attribute
{
    /// <summary>When set, a string value must match this pattern.</summary>
    public string? StringPattern { get; init; }
}
