using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ops.Operator.Agents;
using Ops.Operator.Agents.Pki;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Runtime;

namespace Ops.Operator.Hosting;

/// <summary>
/// Bootstraps the PKI, then campaigns for the Lease; while leading it runs the informers and the
/// controllers. A replica that loses the lease stops the process (as controller-runtime does), so a
/// restarted pod starts clean instead of running controllers that another leader also runs.
/// </summary>
public sealed class OperatorWorker(IServiceProvider services, PkiBootstrapper pki, OperatorPkiSource pkiSource, LeaseLeaderElector elector,
    IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<OperatorWorker> logger) : BackgroundService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when this replica leads and its informers have synced (for /readyz and tests).</summary>
    public Task Ready => _ready.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        pkiSource.Set(await BootstrapPkiAsync(stoppingToken));
        await elector.RunAsync(async leading =>
        {
            try
            {
                await LeadAsync(leading);
            }
            finally
            {
                if (!stoppingToken.IsCancellationRequested)
                {
                    HostingLog.LeadershipLost(logger);
                    Environment.ExitCode = 1;
                    lifetime.StopApplication();
                }
            }
        }, stoppingToken);
    }

    private async Task<OperatorPki> BootstrapPkiAsync(CancellationToken cancellationToken)
    {
        for (var delay = TimeSpan.FromSeconds(1); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks)))
        {
            try
            {
                return await pki.EnsureAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                HostingLog.PkiBootstrapFailed(logger, delay, e);
                await Task.Delay(delay, clock, cancellationToken);
            }
        }
    }

    private async Task LeadAsync(CancellationToken leading)
    {
        var leader = services.GetRequiredService<Metrics.OperatorMetrics>().Leader;
        leader.Set(1);
        await using var notLeading = leading.Register(() => leader.Set(0));
        var commands = services.GetRequiredService<ResourceInformer<V1Alpha1DiagnosticCommand>>();
        var agents = services.GetRequiredService<ResourceInformer<V1Pod>>();
        agents.Subscribe(services.GetRequiredService<AgentRegistry>().Observe);
        var controller = services.GetRequiredService<ControllerRunner<V1Alpha1DiagnosticCommand>>();
        var tasks = services.GetRequiredService<ResourceInformer<V1Alpha1ScheduledTask>>();
        var taskController = services.GetRequiredService<ControllerRunner<V1Alpha1ScheduledTask>>();
        var versions = services.GetRequiredService<ResourceInformer<V1Alpha1AgentVersion>>();
        var versionController = services.GetRequiredService<ControllerRunner<V1Alpha1AgentVersion>>();
        // A rollout moves with its agents' pods; and when the newest AgentVersion goes, the one before it owns the fleet again.
        void EnqueueVersions()
        {
            foreach (var version in versions.Items) versionController.Enqueue(NamespacedName.Of(version));
        }
        agents.Subscribe(_ => EnqueueVersions());
        versions.Subscribe(change =>
        {
            if (change.Type == k8s.WatchEventType.Deleted) EnqueueVersions();
        });
        // A run that finishes wakes its task (history, active list, Forbid).
        commands.Subscribe(change =>
        {
            foreach (var owner in change.Object.Metadata.OwnerReferences ?? [])
            {
                if (owner.Kind == V1Alpha1ScheduledTask.KindName) taskController.Enqueue(new NamespacedName(change.Object.Metadata.NamespaceProperty ?? "", owner.Name));
            }
        });
        var running = new List<Task>
        {
            commands.RunAsync(leading), agents.RunAsync(leading), tasks.RunAsync(leading), versions.RunAsync(leading),
            controller.RunAsync(leading), taskController.RunAsync(leading), versionController.RunAsync(leading),
        };
        await Task.WhenAll(commands.ReadyAsync(leading), agents.ReadyAsync(leading), tasks.ReadyAsync(leading), versions.ReadyAsync(leading));
        HostingLog.Leading(logger, elector.Identity);
        _ready.TrySetResult();
        await Task.WhenAll(running);
    }
}
