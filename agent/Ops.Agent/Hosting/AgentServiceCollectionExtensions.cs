using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Ops.Agent.Actions;
using Ops.Agent.Executions;

namespace Ops.Agent.Hosting;

public static class AgentServiceCollectionExtensions
{
    /// <summary>The agent's services; actions are registered by name here, one class each.</summary>
    public static IServiceCollection AddOpsAgent(this IServiceCollection services)
    {
        services.AddOptions<AgentOptions>().BindConfiguration(AgentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ExecutionJournal>();
        services.AddSingleton<ExecutionManager>();
        services.AddSingleton<Metrics.AgentMetrics>();
        services.AddSingleton<ActionCatalog>();
        services.AddSingleton<Processes.ProcessLocator>();
        services.AddSingleton<TargetFiles>();
        services.AddSingleton<IAgentAction, ProcessesAction>();
        services.AddSingleton<IAgentAction, CheckProcessAction>();
        services.AddSingleton<IAgentAction, FileTailAction>();
        services.AddSingleton<IAgentAction, LogGrepAction>();
        services.AddSingleton<IAgentAction, CheckHttpAction>();
        services.AddSingleton<IAgentAction, ScriptRunAction>();
        services.AddSingleton<IAgentAction, AgentSelfTestAction>();
        services.AddSingleton<IAgentAction, NodeInfoAction>();
        services.AddSingleton<IAgentAction, CheckTcpAction>();
        services.AddSingleton<Dotnet.DotnetProcessFinder>();
        services.AddSingleton<Dotnet.ListenModeEndpoints>();
        services.AddSingleton<Dotnet.DotnetSessions>();
        services.AddSingleton<Dotnet.StackSampler>();
        services.AddSingleton<IAgentAction, DotnetProcessesAction>();
        services.AddSingleton<IAgentAction, DotnetStacksAction>();
        services.AddSingleton<Dotnet.CounterSampler>();
        services.AddSingleton<IAgentAction, DotnetCountersAction>();
        services.AddSingleton<Watches.CounterWatches>();
        services.AddSingleton<Artifacts.ArtifactStore>();
        services.AddSingleton<Artifacts.HeavyActionGate>();
        services.AddSingleton<Dotnet.ArtifactCaptures>();
        services.AddHostedService<DataJanitor>();
        services.AddSingleton<IAgentAction, DotnetTraceAction>();
        services.AddSingleton<Dotnet.HeapSnapshotter>();
        services.AddSingleton<IAgentAction, DotnetGcDumpAction>();
        services.AddSingleton<Dumps.DumpAnalysisRunner>();
        services.AddSingleton<Dumps.DumpAnalyses>();
        services.AddSingleton<IAgentAction, DotnetDumpAction>();
        services.AddSingleton<IAgentAction, DotnetAnalyzeAction>();
        services.AddSingleton<IAgentAction, DotnetCrashDumpsAction>();
        services.AddGrpc();
        services.AddGrpcHealthChecks();
        return services;
    }
}
