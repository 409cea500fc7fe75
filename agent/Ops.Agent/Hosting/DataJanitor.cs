using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Ops.Agent.Artifacts;
using Ops.Agent.Executions;

namespace Ops.Agent.Hosting;

/// <summary>
/// Keeps the data directory bounded: deletes expired artifacts and the execution journal's old records regularly
/// (a quarter of the shorter of their TTLs, at most every 10 minutes), not only when something new is stored.
/// </summary>
public sealed class DataJanitor(ArtifactStore artifacts, ExecutionManager executions, IOptions<AgentOptions> options, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var shortest = Math.Min(options.Value.Artifacts.Ttl.Ticks, options.Value.ExecutionRetention.Ticks);
        var period = TimeSpan.FromTicks(Math.Clamp(shortest / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(10).Ticks));
        using var timer = new PeriodicTimer(period, clock);
        do
        {
            artifacts.DeleteExpired();
            executions.DeleteExpired();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }
}
