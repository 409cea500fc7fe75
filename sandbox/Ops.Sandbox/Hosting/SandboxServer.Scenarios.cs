using Microsoft.Extensions.DependencyInjection;
using Ops.Sandbox.Controllers;
using Ops.Sandbox.Security;

namespace Ops.Sandbox.Hosting;

/// <summary>What tests and benchmarks do to a running sandbox: add users, wait for its controllers, play a restart of the API server.</summary>
public sealed partial class SandboxServer
{
    /// <summary>
    /// Adds a user the sandbox authenticates (TokenReview) and authorizes with RBAC (SubjectAccessReview) from the
    /// Roles and bindings applied to it; returns the user's bearer token. Its own API requests are refused.
    /// </summary>
    public string AddUser(string name, params string[] groups) => _app.Services.GetRequiredService<SandboxIdentity>().AddUser(name, groups);

    /// <summary>
    /// Waits until the sandbox's controllers (garbage collector, namespaces, CRDs, workloads, kubelet) have been
    /// shown every change committed so far, and then every change they made of it: what they decide about the world
    /// as it is now has been decided. Tests use it to show that something does NOT happen, instead of sleeping.
    /// </summary>
    public async Task SettledAsync(CancellationToken cancellationToken = default)
    {
        var host = _app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<ControllerHost>().Single();
        for (var round = 0; round < 2; round++)
        {
            var target = Service.Store.ResourceVersion;
            while (host.Processed < target) await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
        }
    }

    /// <summary>
    /// Plays a restart of the API server while its storage (etcd) and its nodes run on: every client
    /// connection is cut (watches end mid-stream, requests in flight lose their answers), new connections
    /// are cut for <paramref name="downtime"/>, and the watch history is gone when it is back, so a watch
    /// resumed from an older resourceVersion gets 410 Gone and must list again.
    /// </summary>
    public async Task RestartApiAsync(TimeSpan downtime, CancellationToken cancellationToken = default)
    {
        var connections = _app.Services.GetRequiredService<ApiConnections>();
        connections.CutAll();
        try
        {
            Service.Store.ForgetHistory();
            await Task.Delay(downtime, cancellationToken);
        }
        finally
        {
            connections.Accept();
        }
    }
}
