using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Controllers;

/// <summary>Feeds every committed change, in order, to the sandbox's controllers on one background loop.</summary>
internal sealed class ControllerHost(ObjectStore store, IEnumerable<ISandboxController> controllers, ILogger<ControllerHost> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watcher = store.Watch("*", _ => true, store.ResourceVersion, bookmarks: false, capacity: 0);
        try
        {
            var snapshot = store.Snapshot();
            foreach (var controller in controllers) Run(controller, c => c.Resync(snapshot));
            await foreach (var change in watcher.Events.ReadAllAsync(stoppingToken))
            {
                foreach (var controller in controllers) Run(controller, c => c.OnEvent(change));
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
