using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Ops.Agent.Hosting;

namespace Ops.Agent.Artifacts;

/// <summary>Deletes expired artifacts regularly (a quarter of the TTL, at most every 10 minutes), not only when a new one is stored.</summary>
public sealed class ArtifactJanitor(ArtifactStore store, IOptions<AgentOptions> options, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(options.Value.Artifacts.Ttl.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(10).Ticks));
        using var timer = new PeriodicTimer(period, clock);
        do
        {
            store.DeleteExpired();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }
}
