using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Hosting;

namespace Ops.ControllerRuntime.Controllers;

/// <summary>
/// A reconciler's declaration of what wakes it, written beside the reconciler (as controller-runtime's
/// SetupWithManager is): owned kinds, other watches, trigger annotations, in-memory requests, workers.
/// </summary>
public interface IControllerSetup<T> where T : IKubernetesObject<V1ObjectMeta>
{
    static abstract void Setup(ControllerBuilder<T> controller);
}
