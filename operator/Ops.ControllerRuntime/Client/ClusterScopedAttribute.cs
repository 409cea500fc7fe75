namespace Ops.ControllerRuntime.Client;

/// <summary>Marks a kind as cluster-scoped; kinds are namespaced unless marked.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ClusterScopedAttribute : Attribute;
