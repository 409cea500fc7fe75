using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Informers;

namespace Ops.ControllerRuntime.Hosting;

/// <summary>
/// Registration of informers and controllers. Adding a kind is one call:
/// <c>services.AddController&lt;TKind, TReconciler&gt;()</c>, the reconciler declaring what wakes it.
/// The registered <see cref="IKubernetes"/> must be a <see cref="Kubernetes"/>: informers send their
/// watch requests through its HttpClient.
/// </summary>
public static class ControllerRuntimeServices
{
    /// <summary>The runtime's shared parts: the manager, informer settings, status writers, in-memory triggers.</summary>
    public static IServiceCollection AddControllerRuntime(this IServiceCollection services, InformerOptions? informers = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(informers ?? new InformerOptions());
        services.TryAddSingleton(typeof(ReconcileTrigger<>));
        services.TryAddSingleton(typeof(CustomResourceClient<>));
        services.TryAddSingleton<ControllerManager>();
        return services;
    }

    /// <summary>A controller for <typeparamref name="T"/>: its informer, its reconciler and finalizers (one per reconcile, in a scope) and what wakes it.</summary>
    public static IServiceCollection AddController<T, TReconciler>(this IServiceCollection services)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TReconciler : class, IReconciler<T>, IControllerSetup<T>
    {
        services.AddControllerRuntime();
        services.AddInformerFor<T>();
        var builder = new ControllerBuilder<T>(services);
        TReconciler.Setup(builder);
        services.AddScoped<TReconciler>();
        foreach (var finalizer in builder.Finalizers) services.AddScoped(typeof(IFinalizer<T>), finalizer);
        services.AddScoped<IReconciler<T>>(sp => builder.Finalizers.Count == 0
            ? sp.GetRequiredService<TReconciler>()
            : new FinalizingReconciler<T>(sp.GetRequiredService<TReconciler>(), sp.GetServices<IFinalizer<T>>(), sp.GetRequiredService<ResourceInformer<T>>(), sp.GetRequiredService<CustomResourceClient<T>>()));
        services.AddSingleton(builder.Build);
        services.AddSingleton<IController>(sp => sp.GetRequiredService<ControllerRunner<T>>());
        return services;
    }

    /// <summary>
    /// The informer of <typeparamref name="T"/> lists and watches through <paramref name="source"/> (a
    /// label selector on pods, say); it replaces the default, cluster-wide source of a custom kind.
    /// </summary>
    public static IServiceCollection AddInformer<T>(this IServiceCollection services, Func<Kubernetes, IResourceSource<T>> source)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        services.AddControllerRuntime();
        services.RemoveAll<ResourceInformer<T>>();
        services.AddSingleton(sp => CreateInformer(sp, source(Watchable(sp))));
        if (!services.Any(d => d.ServiceType == typeof(InformerMarker<T>)))
        {
            services.AddSingleton<InformerMarker<T>>();
            services.AddSingleton<IInformer>(sp => sp.GetRequiredService<ResourceInformer<T>>());
        }
        return services;
    }

    /// <summary>Something other than a controller follows <typeparamref name="T"/> (a registry of agents): it sees every change, from the first list on.</summary>
    public static IServiceCollection AddInformerObserver<T>(this IServiceCollection services, Func<IServiceProvider, Action<ResourceEvent<T>>> observer)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        services.AddInformerFor<T>();
        return services.AddSingleton(new InformerObserver<T>(observer));
    }

    /// <summary>A cluster-wide informer for a custom kind unless one is registered; a built-in kind needs <see cref="AddInformer{T}"/>.</summary>
    internal static void AddInformerFor<T>(this IServiceCollection services) where T : IKubernetesObject<V1ObjectMeta>
    {
        if (services.Any(d => d.ServiceType == typeof(InformerMarker<T>))) return;
        if (ControllerBuilder<T>.Entity<T>().Group.Length == 0)
        {
            throw new InvalidOperationException($"{typeof(T).Name} is a built-in kind: register its informer with {nameof(AddInformer)} (a selector, a source) before a controller watches it");
        }
        services.AddInformer(ResourceSources.Custom<T>);
    }

    internal static ILogger Logger(IServiceProvider sp, string name) => sp.GetRequiredService<ILoggerFactory>().CreateLogger($"Ops.ControllerRuntime.{name}");

    private static ResourceInformer<T> CreateInformer<T>(IServiceProvider sp, IResourceSource<T> source) where T : IKubernetesObject<V1ObjectMeta>
    {
        var informer = new ResourceInformer<T>(source, sp.GetRequiredService<InformerOptions>(), sp.GetRequiredService<TimeProvider>(), Logger(sp, $"Informer.{source.Kind}"));
        foreach (var observer in sp.GetServices<InformerObserver<T>>()) informer.Subscribe(observer.Create(sp));
        return informer;
    }

    private static Kubernetes Watchable(IServiceProvider sp) => sp.GetRequiredService<IKubernetes>() as Kubernetes
        ?? throw new InvalidOperationException($"the registered {nameof(IKubernetes)} must be a {typeof(Kubernetes).FullName}: informers send their watch requests through its HttpClient");

    private sealed class InformerMarker<T>;

    private sealed record InformerObserver<T>(Func<IServiceProvider, Action<ResourceEvent<T>>> Create);
}
