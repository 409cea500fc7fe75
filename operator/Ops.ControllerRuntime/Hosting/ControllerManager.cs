using Microsoft.Extensions.DependencyInjection;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Informers;

namespace Ops.ControllerRuntime.Hosting;

/// <summary>
/// Starts every registered informer, waits for their first lists, then runs every controller, until
/// cancelled. The application calls it while it leads (see <see cref="LeaderElection.LeaseLeaderElector"/>):
/// a replica that is not the leader neither watches nor reconciles.
/// </summary>
public sealed class ControllerManager(IServiceProvider services)
{
    /// <param name="cancellationToken">Cancelled when this replica stops leading (or the process stops).</param>
    /// <param name="synced">Called once every informer has its first list (readiness, tests).</param>
    public async Task RunAsync(CancellationToken cancellationToken, Action? synced = null)
    {
        // Controllers first: creating one subscribes it to every informer it watches, before any event flows.
        var controllers = services.GetServices<IController>().ToList();
        var informers = services.GetServices<IInformer>().ToList();
        var running = informers.Select(i => i.RunAsync(cancellationToken)).ToList();
        await Task.WhenAll(informers.Select(i => i.ReadyAsync(cancellationToken)));
        synced?.Invoke();
        running.AddRange(controllers.Select(c => c.RunAsync(cancellationToken)));
        await Task.WhenAll(running);
    }
}
