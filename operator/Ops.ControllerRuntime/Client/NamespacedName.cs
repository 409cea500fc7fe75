using k8s;
using k8s.Models;

namespace Ops.ControllerRuntime.Client;

/// <summary>The key of an object in caches and work queues: namespace ("" when cluster-scoped) and name.</summary>
public readonly record struct NamespacedName(string Namespace, string Name)
{
    public static NamespacedName Of(IKubernetesObject<V1ObjectMeta> obj) => new(obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name);

    public override string ToString() => Namespace.Length == 0 ? Name : $"{Namespace}/{Name}";
}
