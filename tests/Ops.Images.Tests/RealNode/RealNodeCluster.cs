using Ops.Agent.V1.Actions;
using Ops.Operator.Api.V1Alpha1;
using Ops.Demo;
using Ops.Sandbox.Containers;
using Ops.TestSupport;

namespace Ops.Images.Tests.RealNode;

/// <summary>
/// The demo cluster on the containerd runtime: 3 nodes, the operator and the agents from their images with the
/// chart's security settings, the sample app from its image (uid 1654), all pulled from the images fixture's
/// registry. Started by the first test that needs it. The agents carry a named script, "loader-version", that runs
/// a program of the agent's own image (it has no shell): glibc's dynamic loader, which prints its version.
/// </summary>
public sealed class RealNodeCluster : IAsyncDisposable
{
    public const string Script = "loader-version";
    private readonly SemaphoreSlim _starting = new(1, 1);
    private DemoCluster? _cluster;

    public static string? Missing() => ContainerdOptions.Missing();

    public async Task<DemoCluster> StartAsync(ImagesFixture images)
    {
        ImageTools.Require(images.Missing ?? Missing());
        await _starting.WaitAsync();
        try
        {
            return _cluster ??= await DemoCluster.StartAsync(new DemoOptions
            {
                CrdsDirectory = RepositoryPaths.Crds,
                ImageRegistry = images.Registry,
                AgentSettings = new Dictionary<string, string>
                {
                    [$"Agent__Scripts__{Script}__Path"] = "/lib64/ld-linux-x86-64.so.2",
                    [$"Agent__Scripts__{Script}__Arguments__0"] = "--version",
                    // Run on the app's pod: in the agent's container, as its unprivileged user (nobody).
                    [$"Agent__Scripts__{Script}__Targets__0"] = "pods",
                },
                // Every action on the shop's pods is tried here, a script and a full dump among them: the shop's policy allows them.
                AdjustRelease = obj =>
                {
                    if (obj is not V1Alpha1DiagnosticPolicy { Metadata.Name: "shop-team" } shop) return;
                    shop.Spec.ActionGroups = [.. ActionGroups.All];
                    shop.Spec.Scripts = [Script];
                    shop.Spec.MaxDumpType = "full";
                },
            });
        }
        finally
        {
            _starting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        _starting.Dispose();
    }
}
