using k8s;
using k8s.Models;

namespace Ops.ControllerRuntime.Controllers;

/// <summary>
/// Cleanup that must happen before an object of <typeparamref name="T"/> may go (KubeOps' IEntityFinalizer):
/// while the object carries <see cref="Name"/> among its finalizers, the API server keeps it; once it is
/// being deleted the runtime calls <see cref="FinalizeAsync"/>, then removes the name. A failure is retried
/// with backoff, like a failed reconcile. Whoever adds the name to the object decides when cleanup is owed.
/// </summary>
public interface IFinalizer<in T> where T : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The finalizer's name on the object (a qualified name: example.dev/cleanup).</summary>
    string Name { get; }

    Task FinalizeAsync(T entity, CancellationToken cancellationToken);
}
