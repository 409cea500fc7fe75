using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ops.ControllerRuntime.Hosting;
using Ops.ControllerRuntime.LeaderElection;
using Ops.Operator.Agents.Pki;

namespace Ops.Operator.Hosting;

/// <summary>
/// Bootstraps the PKI, then campaigns for the Lease; while leading it runs the controller manager
/// (every informer, then every controller). A replica that loses the lease stops the process (as controller-runtime does), so a
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
        var caBundles = services.GetRequiredService<Admission.WebhookCaBundles>().RunAsync(leading);
        var counterWatches = services.GetRequiredService<Controllers.DiagnosticTriggers.CounterWatchSync>().RunAsync(leading);
        // What each controller watches is declared beside it (its reconciler's Setup); the manager runs them all.
        await services.GetRequiredService<ControllerManager>().RunAsync(leading, synced: () =>
        {
            HostingLog.Leading(logger, elector.Identity);
            _ready.TrySetResult();
        });
        await caBundles;
        await counterWatches;
    }
}
