using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Hosting;
using Ops.ControllerRuntime.Informers;
using Ops.ControllerRuntime.LeaderElection;
using Ops.Operator.Agents;
using Ops.Operator.Agents.Pki;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.AgentVersions;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.Operator.Controllers.DiagnosticPolicies;
using Ops.Operator.Controllers.DiagnosticTriggers;
using Ops.Operator.Controllers.ScheduledTasks;
using Ops.Operator.Policies;

namespace Ops.Operator.Hosting;

public static class OperatorServiceCollectionExtensions
{
    /// <summary>How the operator names itself to the API server.</summary>
    public const string UserAgent = "ops-operator/1.0";

    /// <summary>The source of the operator's Events (kubectl describe's "From").</summary>
    public const string EventComponent = "ops-operator";

    /// <summary>The operator's services. <see cref="IKubernetes"/> is registered only when absent, so tests can bring their own.</summary>
    public static IServiceCollection AddOpsOperator(this IServiceCollection services)
    {
        services.AddOptions<OperatorOptions>().BindConfiguration(OperatorOptions.Section).ValidateDataAnnotations()
            .Validate<IConfiguration>((_, configuration) => OperatorOptions.Replaced.All(key => !configuration.GetSection(key).Exists()),
                $"{string.Join(" and ", OperatorOptions.Replaced)} are replaced by DiagnosticPolicy objects (docs/policies.md): remove them and create a policy for those namespaces")
            .ValidateOnStart();
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
        services.AddSingleton<Artifacts.ArtifactServingCertificate>();
        services.AddSingleton(sp =>
        {
            var pki = sp.GetRequiredService<OperatorPkiSource>().Current;
            return new AgentChannels(pki.ClientCertificate, pki.Ca, sp.GetRequiredService<ILoggerFactory>(), new AgentCallMetrics(sp.GetRequiredService<Metrics.OperatorMetrics>()),
                idleTimeout: Options(sp).AgentConnectionIdleTimeout);
        });
        services.AddSingleton(sp => new AgentRegistry(Options(sp).AgentPort));
        services.AddSingleton(new EventRecorderOptions(EventComponent));
        services.AddSingleton<EventRecorder>();
        services.AddSingleton<Metrics.OperatorMetrics>();
        services.AddSingleton<IControllerMetrics, Metrics.ControllerMetrics>();
        services.AddControllerRuntime();
        // Only the agent pods are watched (the registry, rollouts), cut to what is read of them; a command reads its targets
        // from the API when it starts. A node informer was tried for rollouts: it cost every operator idle memory (bench/README.md).
        services.AddInformer(client => new TransformedSource<V1Pod>(ResourceSources.Pods(client, labelSelector: AgentRegistry.AgentLabel), AgentPodEssentials.Of));
        services.AddInformerObserver<V1Pod>(sp => sp.GetRequiredService<AgentRegistry>().Observe);

        // Policies and namespaces are few and small (a namespace cut to its labels): watched, so a start reads them from memory.
        services.AddInformer(client => ResourceSources.Custom<V1Alpha1DiagnosticPolicy>(client));
        services.AddInformer(client => new TransformedSource<V1Namespace>(ResourceSources.Namespaces(client), NamespacePolicies.Essentials));
        services.AddSingleton<NamespacePolicies>();
        services.AddSingleton<ArtifactLedger>();
        services.AddSingleton<CommandPolicy>();
        services.AddSingleton<TargetResolver>();
        services.AddSingleton<CommandSpecCheck>();
        services.AddSingleton<Admission.AdmissionValidator>();
        services.AddSingleton(sp => new Admission.RequesterSeal(sp.GetRequiredService<OperatorPkiSource>().KeyPem));
        services.AddSingleton<Admission.AdmissionEndpoints>();
        services.AddSingleton<Admission.WebhookCaBundles>();
        services.AddSingleton<TargetLister>();
        services.AddSingleton(sp =>
        {
            var commands = sp.GetRequiredService<ResourceInformer<V1Alpha1DiagnosticCommand>>();
            return new CommandAdmission(sp.GetRequiredService<CommandRuns>(), sp.GetRequiredService<ReconcileTrigger<V1Alpha1DiagnosticCommand>>(),
                key => commands.TryGet(key, out var command) && command.Metadata.DeletionTimestamp is null);
        });
        services.AddSingleton<CommandStartGate>();
        services.AddSingleton<CommandPermissionDenied>();
        services.AddSingleton<CommandAudit>();
        services.AddSingleton(sp => new CommandFanOut(sp.GetRequiredService<AgentChannels>(), sp.GetRequiredService<AgentRegistry>().For,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CommandFanOut>>()) { AgentGrace = Options(sp).AgentGrace });
        // Keyed by the Ops CA's key, which only the operator reads: a namespace's users can edit the plan, not forge its seal.
        services.AddSingleton(sp => new PlanSeal(sp.GetRequiredService<OperatorPkiSource>().KeyPem));
        services.AddSingleton<CommandPlans>();
        services.AddSingleton<CommandRuns>();
        services.AddController<V1Alpha1DiagnosticCommand, DiagnosticCommandReconciler>();

        services.AddController<V1Alpha1ScheduledTask, ScheduledTaskReconciler>();
        services.AddController<V1Alpha1DiagnosticPolicy, DiagnosticPolicyReconciler>();
        services.AddSingleton<TriggerSpecCheck>();
        services.AddSingleton<CounterWatchBook>();
        services.AddSingleton<CounterWatchSync>();
        services.AddController<V1Alpha1DiagnosticTrigger, DiagnosticTriggerReconciler>();

        services.AddSingleton(sp => new AgentHealthGate(sp.GetRequiredService<AgentChannels>(), Options(sp).AgentPort,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AgentHealthGate>>()));
        services.AddSingleton<RolloutMetrics>();
        services.AddSingleton<FleetAssessor>();
        services.AddSingleton<AgentPodDeletions>();
        services.AddInformerObserver<V1Pod>(sp => sp.GetRequiredService<AgentPodDeletions>().Observe);
        services.AddController<V1Alpha1AgentVersion, AgentVersionReconciler>();

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

    private static OperatorOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<OperatorOptions>>().Value;
}
