namespace Ops.Operator.Api.Schema;

/// <summary>An additionalPrinterColumn of the CRD; columns print in declaration order.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class PrinterColumnAttribute(string name, string jsonPath, string type = "string") : Attribute
{
    public string Name { get; } = name;
    public string JsonPath { get; } = jsonPath;
    public string Type { get; } = type;
    public string? Description { get; init; }
    /// <summary>0 shows in <c>kubectl get</c>; higher only with <c>-o wide</c>.</summary>
    public int Priority { get; init; }
}
