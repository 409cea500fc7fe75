using Ops.ControllerRuntime.Client;

namespace Ops.ControllerRuntime.Controllers;

/// <summary>
/// One reconciler per kind. Level-triggered: it is given only the key, reads the world (the
/// informer's cache and the API), converges it, and never relies on which event woke it.
/// </summary>
public interface IReconciler<T>
{
    Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken);
}
