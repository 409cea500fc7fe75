using System.Reflection;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Informers;

namespace Ops.ControllerRuntime.Hosting;

/// <summary>
/// What wakes one controller besides changes to its own kind (spec, deletion), in the spirit of
/// controller-runtime's For/Owns/Watches: each declaration becomes a subscription made when the
/// controller is created, before any informer runs, so no event is missed.
/// </summary>
public sealed class ControllerBuilder<T> where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly IServiceCollection _services;
    private readonly List<Action<IServiceProvider, ResourceInformer<T>, Action<NamespacedName>>> _wiring = [];
    private readonly List<string> _triggerAnnotations = [];
    private Func<IServiceProvider, int> _workers = _ => 1;

    internal ControllerBuilder(IServiceCollection services) => _services = services;

    /// <summary>Finalizer classes, each created in the reconcile's scope.</summary>
    internal List<Type> Finalizers { get; } = [];

    /// <summary>Reconciles in flight at once (one key is never reconciled twice at once).</summary>
    public ControllerBuilder<T> Workers(int workers) => Workers(_ => workers);

    /// <summary>Workers read from configuration when the controller is created.</summary>
    public ControllerBuilder<T> Workers(Func<IServiceProvider, int> workers)
    {
        _workers = workers;
        return this;
    }

    /// <summary>
    /// Objects of <typeparamref name="TOwned"/> whose ownerReferences name a <typeparamref name="T"/>:
    /// any change to one (status included) wakes its owner.
    /// </summary>
    public ControllerBuilder<T> Owns<TOwned>() where TOwned : IKubernetesObject<V1ObjectMeta>
    {
        var owner = Entity<T>();
        var clusterScoped = typeof(T).IsDefined(typeof(ClusterScopedAttribute));
        return Watches<TOwned>((change, _) => (change.Object.Metadata.OwnerReferences ?? [])
            .Where(o => o.Kind == owner.Kind && Group(o.ApiVersion) == owner.Group)
            .Select(o => new NamespacedName(clusterScoped ? "" : change.Object.Metadata.NamespaceProperty ?? "", o.Name)));
    }

    /// <summary>
    /// Any change to a <typeparamref name="TOther"/> wakes the keys <paramref name="map"/> returns; it is
    /// given the change and the controller's cached objects (to wake all of them, or some).
    /// </summary>
    public ControllerBuilder<T> Watches<TOther>(Func<ResourceEvent<TOther>, IReadOnlyCollection<T>, IEnumerable<NamespacedName>> map)
        where TOther : IKubernetesObject<V1ObjectMeta>
    {
        _services.AddInformerFor<TOther>();
        _wiring.Add((sp, primary, enqueue) => sp.GetRequiredService<ResourceInformer<TOther>>().Subscribe(change =>
        {
            foreach (var key in map(change, primary.Items)) enqueue(key);
        }));
        return this;
    }

    /// <summary>A change of this annotation wakes the controller as a spec change does (an approval given with kubectl annotate).</summary>
    public ControllerBuilder<T> WakesOnAnnotation(string annotation)
    {
        _triggerAnnotations.Add(annotation);
        return this;
    }

    /// <summary>Requests made through <see cref="ReconcileTrigger{T}"/> by in-memory work (a fan-out's progress) wake the key.</summary>
    public ControllerBuilder<T> WakesOnRequests()
    {
        _wiring.Add((sp, _, enqueue) => sp.GetRequiredService<ReconcileTrigger<T>>().Attach(enqueue));
        return this;
    }

    /// <summary>Cleanup run when an object carrying <typeparamref name="TFinalizer"/>'s name is deleted, before the name is removed.</summary>
    public ControllerBuilder<T> Finalizer<TFinalizer>() where TFinalizer : class, IFinalizer<T>
    {
        Finalizers.Add(typeof(TFinalizer));
        return this;
    }

    internal ControllerRunner<T> Build(IServiceProvider sp)
    {
        var informer = sp.GetRequiredService<ResourceInformer<T>>();
        var options = new ControllerOptions
        {
            Concurrency = _workers(sp), TriggerAnnotations = [.. _triggerAnnotations], Metrics = sp.GetService<IControllerMetrics>(),
        };
        var runner = new ControllerRunner<T>(informer, sp.GetRequiredService<IServiceScopeFactory>(), options, sp.GetRequiredService<TimeProvider>(),
            ControllerRuntimeServices.Logger(sp, $"Controller.{typeof(T).Name}"));
        foreach (var wire in _wiring) wire(sp, informer, runner.Enqueue);
        return runner;
    }

    internal static KubernetesEntityAttribute Entity<TEntity>() => typeof(TEntity).GetCustomAttribute<KubernetesEntityAttribute>()
        ?? throw new ArgumentException($"{typeof(TEntity).Name} has no [KubernetesEntity]");

    /// <summary>An owner is matched by group and kind, as controller-runtime does: a reference written under another version of the kind still counts.</summary>
    private static string Group(string? apiVersion) => apiVersion?.LastIndexOf('/') is int slash and > 0 ? apiVersion[..slash] : "";
}
