using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.Operator.Agents;
using Ops.Operator.Agents.Pki;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.Operator.Runtime;

namespace Ops.Operator.Hosting;

public static class OperatorServiceCollectionExtensions
{
    /// <summary>How the operator names itself to the API server.</summary>
    public const string UserAgent = "ops-operator/1.0";

    /// <summary>The operator's services. <see cref="IKubernetes"/> is registered only when absent, so tests can bring their own.</summary>
    public static IServiceCollection AddOpsOperator(this IServiceCollection services)
    {
        services.AddOptions<OperatorOptions>().BindConfiguration(OperatorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IKubernetes>(sp =>
        {
            var path = sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Kubeconfig;
            var client = ApiClients.Create(path.Length > 0 ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path) : KubernetesClientConfiguration.BuildDefaultConfig());
            // Named in the API server's audit log (and in the sandbox's record of calls, which the chart's RBAC is checked against).
            client.HttpClient.DefaultRequestHeaders.UserAgent.Clear();
            client.HttpClient.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
            return client;
        });
        services.AddSingleton(sp => new PkiOptions { Namespace = Options(sp).Namespace });
        services.AddSingleton<PkiBootstrapper>();
        services.AddSingleton<OperatorPkiSource>();
        services.AddSingleton(sp =>
        {
            var pki = sp.GetRequiredService<OperatorPkiSource>().Current;
            return new AgentChannels(pki.ClientCertificate, pki.Ca, sp.GetRequiredService<ILoggerFactory>(), new AgentCallMetrics(sp.GetRequiredService<Metrics.OperatorMetrics>()));
        });
        services.AddSingleton(sp => new AgentRegistry(Options(sp).AgentPort));
        services.AddSingleton(new InformerOptions());
        services.AddSingleton(sp => Informer(sp, ResourceSources.Custom<V1Alpha1DiagnosticCommand>(Watchable(sp))));
        // Only the agent pods are watched (the registry); a command reads its targets from the API when it starts.
        services.AddSingleton(sp => Informer(sp, ResourceSources.Pods(Watchable(sp), labelSelector: AgentRegistry.AgentLabel)));
        services.AddSingleton<EventRecorder>();
        services.AddSingleton<Metrics.OperatorMetrics>();
        services.AddSingleton(typeof(ReconcileTrigger<>));
        services.AddSingleton(typeof(CustomResourceClient<>));

        services.AddSingleton(sp => new CommandPolicy(Options(sp).HeavyActionsDisabledNamespaces.ToHashSet(StringComparer.Ordinal)));
        services.AddSingleton(sp => new TargetResolver(Options(sp).NodeTargetNamespaces.ToHashSet(StringComparer.Ordinal)));
        services.AddSingleton<TargetLister>();
        services.AddSingleton(sp => new CommandFanOut(sp.GetRequiredService<AgentChannels>(), sp.GetRequiredService<AgentRegistry>().For,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CommandFanOut>>()) { AgentGrace = Options(sp).AgentGrace });
        services.AddSingleton<CommandPlans>();
        services.AddSingleton<CommandRuns>();
        services.AddScoped<IReconciler<V1Alpha1DiagnosticCommand>, DiagnosticCommandReconciler>();
        services.AddSingleton(sp => Controller<V1Alpha1DiagnosticCommand>(sp, Options(sp).CommandWorkers));

        services.AddSingleton(sp => Informer(sp, ResourceSources.Custom<V1Alpha1ScheduledTask>(Watchable(sp))));
        services.AddScoped<IReconciler<V1Alpha1ScheduledTask>, Controllers.ScheduledTasks.ScheduledTaskReconciler>();
        services.AddSingleton(sp => Controller<V1Alpha1ScheduledTask>(sp, 2));

        services.AddSingleton(sp => Informer(sp, ResourceSources.Custom<V1Alpha1AgentVersion>(Watchable(sp))));
        services.AddSingleton(sp => new Controllers.AgentVersions.AgentHealthGate(sp.GetRequiredService<AgentChannels>(), Options(sp).AgentPort,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Controllers.AgentVersions.AgentHealthGate>>()));
        services.AddSingleton<Controllers.AgentVersions.RolloutMetrics>();
        services.AddScoped<IReconciler<V1Alpha1AgentVersion>, Controllers.AgentVersions.AgentVersionReconciler>();
        services.AddSingleton(sp => Controller<V1Alpha1AgentVersion>(sp, 1, [Controllers.AgentVersions.RolloutConditions.ApprovedStepAnnotation]));

        services.AddSingleton(sp =>
        {
            var options = Options(sp);
            return new LeaseLeaderElector(sp.GetRequiredService<IKubernetes>(),
                new LeaderElectionOptions { Namespace = options.Namespace, LeaseName = options.LeaseName, Identity = options.Identity },
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<LeaseLeaderElector>());
        });
        services.AddSingleton(sp => new Artifacts.ArtifactDownloads(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<CustomResourceClient<V1Alpha1DiagnosticCommand>>(),
            sp.GetRequiredService<AgentRegistry>(), sp.GetRequiredService<AgentChannels>, sp.GetRequiredService<ILogger<Artifacts.ArtifactDownloads>>()));
        services.AddHostedService<OperatorWorker>();
        return services;
    }

    /// <summary>Informers send their watch requests themselves (see <see cref="WatchStream"/>), through the client's HttpClient.</summary>
    private static Kubernetes Watchable(IServiceProvider sp) => sp.GetRequiredService<IKubernetes>() as Kubernetes
        ?? throw new InvalidOperationException($"the registered {nameof(IKubernetes)} must be a {typeof(Kubernetes).FullName}: informers send their watch requests through its HttpClient");

    private static OperatorOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<OperatorOptions>>().Value;

    private static ResourceInformer<T> Informer<T>(IServiceProvider sp, IResourceSource<T> source) where T : IKubernetesObject<V1ObjectMeta> =>
        new(source, sp.GetRequiredService<InformerOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger($"Ops.Operator.Informer.{source.Kind}"));

    private static ControllerRunner<T> Controller<T>(IServiceProvider sp, int workers, IReadOnlyList<string>? triggerAnnotations = null) where T : IKubernetesObject<V1ObjectMeta>
    {
        var runner = new ControllerRunner<T>(sp.GetRequiredService<ResourceInformer<T>>(), sp.GetRequiredService<IServiceScopeFactory>(),
            new ControllerOptions { Concurrency = workers, TriggerAnnotations = triggerAnnotations ?? [], Metrics = sp.GetRequiredService<Metrics.OperatorMetrics>() },
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger($"Ops.Operator.Controller.{typeof(T).Name}"));
        sp.GetRequiredService<ReconcileTrigger<T>>().Attach(runner.Enqueue);
        return runner;
    }
}
