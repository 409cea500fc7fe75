namespace Ops.Operator.Api.Schema;

/// <summary>Short names kubectl accepts for the kind (<c>kubectl get dcmd</c>).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ShortNamesAttribute(params string[] names) : Attribute
{
    public IReadOnlyList<string> Names { get; } = names;
}
