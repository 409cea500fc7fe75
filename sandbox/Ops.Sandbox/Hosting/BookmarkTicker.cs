using Microsoft.Extensions.Hosting;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Hosting;

/// <summary>Sends BOOKMARK events on an interval to the watchers that asked for them.</summary>
internal sealed class BookmarkTicker(ObjectStore store, SandboxOptions options, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.BookmarkInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) store.Bookmark();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
