using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Informers;
using Ops.Operator.Agents;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.AgentVersions;
using Ops.Operator.Hosting;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Operator.Tests.Controllers.AgentVersions;

/// <summary>
/// The rollout reconciler against a sandbox API server, its agent pods read from an informer whose watch
/// never delivers: what it deleted still looks Ready in its cache, as it does for a moment after every
/// deletion in a real cluster.
/// </summary>
public sealed class AgentVersionReconcilerTests : IAsyncLifetime
{
    private const string Ns = "default";
    private const int NodeCount = 10;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly CancellationTokenSource _informers = new();
    private SandboxServer _sandbox = null!;
    private Kubernetes _client = null!;
    private TestPki _pki = null!;

    public async ValueTask InitializeAsync()
    {
        _sandbox = await SandboxFixture.StartAsync(new SandboxOptions());
        _client = SandboxFixture.CreateClient(_sandbox);
        _pki = TestPki.Create();
    }

    public async ValueTask DisposeAsync()
    {
        await _informers.CancelAsync();
        _informers.Dispose();
        _pki.Dispose();
        _client.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task A_reconcile_whose_cache_still_shows_the_agents_it_deleted_deletes_no_more_than_max_unavailable()
    {
        var daemonSet = await _client.AppsV1.CreateNamespacedDaemonSetAsync(new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "ops-agent", NamespaceProperty = Ns },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "ops-agent" } },
                UpdateStrategy = new V1DaemonSetUpdateStrategy { Type = "OnDelete" },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "ops-agent", [AgentRegistry.VersionLabel] = TestFleet.Old.Version } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "agent", Image = TestFleet.Old.Image }] },
                },
            },
        }, Ns, cancellationToken: _ct);
        // The sandbox's DaemonSet controller creates an agent pod on each node (no kubelet runs them; the cache below says they are Ready).
        for (var i = 1; i <= NodeCount; i++) await _client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = $"n{i}" } }, cancellationToken: _ct);
        var pods = await Eventually.Get(async () => (await _client.CoreV1.ListNamespacedPodAsync(Ns, cancellationToken: _ct)).Items is { Count: NodeCount } all ? all : null,
            "an agent pod on every node", TimeSpan.FromSeconds(30));
        var readySince = DateTime.UtcNow.AddMinutes(-10);
        var cached = pods.Select(pod =>
        {
            pod.Status = new V1PodStatus { Phase = "Running", PodIP = "127.0.0.1", Conditions = [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = readySince }] };
            return AgentPodEssentials.Of(pod);
        }).ToList();
        var versions = new CustomResourceClient<V1Alpha1AgentVersion>(_client);
        await _client.CustomObjects.CreateClusterCustomObjectAsync(new V1Alpha1AgentVersion
        {
            Metadata = new V1ObjectMeta { Name = "to-2-0-0" },
            Spec = new()
            {
                Version = TestFleet.New.Version, Image = TestFleet.New.Image,
                Strategy = new() { MaxUnavailable = "2", Canary = new() { Steps = [new() { Percent = 100 }] }, HealthGate = new() { MinReadySeconds = 0, SelfTest = false } },
            },
        }, ApiGroup.Name, ApiGroup.Version, V1Alpha1AgentVersion.Plural, cancellationToken: _ct);
        var deletions = new AgentPodDeletions(TimeProvider.System);
        var reconciler = await ReconcilerAsync(versions, cached, deletions);
        long Deletes() => _sandbox.Accesses.CountOf("", a => a.Verb == "delete" && a.Resource == "pods");

        await reconciler.ReconcileAsync(new NamespacedName("", "to-2-0-0"), _ct);
        Assert.Equal(2, Deletes());
        Assert.Equal(2, deletions.Count);
        var left = (await _client.CoreV1.ListNamespacedPodAsync(Ns, cancellationToken: _ct)).Items.Where(p => p.Metadata.DeletionTimestamp is null).Select(p => p.Metadata.Uid).ToHashSet();
        Assert.Equal(NodeCount - 2, cached.Count(p => left.Contains(p.Metadata.Uid)));

        // Nothing the cache shows has changed: the two agents it still shows Ready are gone, and the budget is spent.
        await reconciler.ReconcileAsync(new NamespacedName("", "to-2-0-0"), _ct);
        await reconciler.ReconcileAsync(new NamespacedName("", "to-2-0-0"), _ct);
        Assert.Equal(2, Deletes());
        var still = (await _client.CoreV1.ListNamespacedPodAsync(Ns, cancellationToken: _ct)).Items.Where(p => p.Metadata.DeletionTimestamp is null).Select(p => p.Metadata.Uid).ToHashSet();
        Assert.Equal(NodeCount - 2, cached.Count(p => still.Contains(p.Metadata.Uid)));
        var status = (await versions.GetAsync(new NamespacedName("", "to-2-0-0"), _ct))!.Status!;
        Assert.Equal((0, NodeCount), (status.UpdatedNodes, status.TotalNodes));

        // Once the informer sees them go, they are no longer expected.
        foreach (var pod in cached.Where(p => !left.Contains(p.Metadata.Uid))) deletions.Observe(new ResourceEvent<V1Pod>(WatchEventType.Deleted, pod));
        Assert.Equal(0, deletions.Count);
    }

    private async Task<AgentVersionReconciler> ReconcilerAsync(CustomResourceClient<V1Alpha1AgentVersion> versions, List<V1Pod> pods, AgentPodDeletions deletions)
    {
        var clock = TimeProvider.System;
        ResourceInformer<T> Frozen<T>(string kind, IReadOnlyList<T> items) where T : IKubernetesObject<V1ObjectMeta> => new(new FrozenSource<T>(kind, items), new InformerOptions(), clock, NullLogger.Instance);
        var versionCache = Frozen<V1Alpha1AgentVersion>("AgentVersion", []);
        var podCache = Frozen("Pod", pods);
        foreach (var informer in new IInformer[] { versionCache, podCache })
        {
            _ = informer.RunAsync(_informers.Token);
            await informer.ReadyAsync(_ct);
        }
        var channels = new AgentChannels(_pki.OperatorCertificate, _pki.Ca.Certificate, NullLoggerFactory.Instance);
        var operatorMetrics = new Ops.Operator.Metrics.OperatorMetrics();
        var options = Microsoft.Extensions.Options.Options.Create(new OperatorOptions { Namespace = Ns, AgentDaemonSet = "ops-agent" });
        return new AgentVersionReconciler(versions, versionCache, podCache, deletions, _client,
            new FleetAssessor(new AgentHealthGate(channels, 7443, clock, NullLogger<AgentHealthGate>.Instance)), new RolloutMetrics(operatorMetrics, new AgentRegistry(7443)),
            new EventRecorder(_client, new EventRecorderOptions("ops-operator"), clock, NullLogger<EventRecorder>.Instance), options, clock, NullLogger<AgentVersionReconciler>.Instance);
    }
}
