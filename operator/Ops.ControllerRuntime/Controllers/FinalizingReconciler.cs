using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Informers;

namespace Ops.ControllerRuntime.Controllers;

/// <summary>
/// Runs the declared finalizers of an object being deleted (each still named on it), removes their names,
/// then hands the key to the controller's own reconciler (which sees the deletion and may do nothing).
/// </summary>
internal sealed class FinalizingReconciler<T>(IReconciler<T> inner, IEnumerable<IFinalizer<T>> finalizers, ResourceInformer<T> informer, CustomResourceClient<T> client)
    : IReconciler<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    public async Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (informer.TryGet(key, out var entity) && entity.Metadata.DeletionTimestamp is not null)
        {
            foreach (var finalizer in finalizers)
            {
                if (entity.Metadata.Finalizers?.Contains(finalizer.Name) != true) continue;
                await finalizer.FinalizeAsync(entity, cancellationToken);
                await client.SetFinalizerAsync(entity, finalizer.Name, present: false, cancellationToken);
            }
        }
        return await inner.ReconcileAsync(key, cancellationToken);
    }
}
