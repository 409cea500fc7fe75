using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Controllers;

/// <summary>Feeds every committed change, in order, to the sandbox's controllers on one background loop.</summary>
internal sealed class ControllerHost(ObjectStore store, IEnumerable<ISandboxController> controllers, ILogger<ControllerHost> logger) : BackgroundService
{
    private long _processed = -1;

    /// <summary>The resourceVersion of the last change every controller has been shown (-1 before the first resync).</summary>
    public long Processed => Interlocked.Read(ref _processed);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watcher = store.Watch("*", _ => true, store.ResourceVersion, bookmarks: false, capacity: 0);
        try
        {
            var snapshot = store.Snapshot();
            foreach (var controller in controllers) Run(controller, c => c.Resync(snapshot));
            Raise(snapshot.ResourceVersion);
            await foreach (var change in watcher.Events.ReadAllAsync(stoppingToken))
            {
                foreach (var controller in controllers) Run(controller, c => c.OnEvent(change));
                Raise(change.ResourceVersion);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            store.StopWatching(watcher);
        }
    }

    // Events older than the first snapshot may still arrive after it (the watch starts first): never move back.
    private void Raise(long resourceVersion)
    {
        long seen;
        while (resourceVersion > (seen = Processed) && Interlocked.CompareExchange(ref _processed, resourceVersion, seen) != seen) { }
    }

    private void Run(ISandboxController controller, Action<ISandboxController> step)
    {
        try
        {
            step(controller);
        }
        catch (Exception e)
        {
            // One controller's failure on one object must not stop the others or the server.
            logger.LogError(e, "Sandbox controller {Controller} failed", controller.GetType().Name);
        }
    }
}
