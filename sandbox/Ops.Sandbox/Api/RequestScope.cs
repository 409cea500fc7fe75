namespace Ops.Sandbox.Api;

/// <summary>What one API request addresses: the served type, namespace ("" when cluster-scoped), name and subresource.</summary>
internal sealed record RequestScope(ResourceType Type, string Namespace, string? Name, string? Subresource)
{
    public string Key => Storage.StoredObject.KeyOf(Type.Namespaced ? Namespace : "", Name ?? "");
}
