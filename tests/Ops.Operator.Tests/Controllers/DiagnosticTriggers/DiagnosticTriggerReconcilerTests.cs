using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Informers;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.Operator.Controllers.DiagnosticTriggers;
using Ops.Operator.Hosting;
using Ops.Operator.Policies;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Operator.Tests.Controllers.DiagnosticTriggers;

/// <summary>
/// The DiagnosticTrigger controller against a sandbox API server, driven by a fake clock, with pods whose status the
/// test writes: a crossing fires once even when the status that recorded it was lost (an operator that restarted
/// between the create and the status write), the trigger expires, and the operator's budget holds a crossing back.
/// </summary>
public sealed class DiagnosticTriggerReconcilerTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(TimeProvider.System.GetUtcNow());
    private readonly CancellationTokenSource _informers = new();
    private SandboxServer _sandbox = null!;
    private Kubernetes _client = null!;
    private NamespacePolicies _policies = null!;
    private ResourceInformer<V1Alpha1DiagnosticCommand> _commands = null!;
    private readonly Metrics.OperatorMetrics _metrics = new();
    private const string Ns = "default";

    public async ValueTask InitializeAsync()
    {
        _sandbox = await SandboxFixture.StartAsync(new SandboxOptions());
        _client = SandboxFixture.CreateClient(_sandbox);
        var ns = new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns, Labels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = Ns } } };
        var policies = new ResourceInformer<V1Alpha1DiagnosticPolicy>(new FrozenSource<V1Alpha1DiagnosticPolicy>("DiagnosticPolicy", []), new InformerOptions(), TimeProvider.System, NullLogger.Instance);
        var namespaces = new ResourceInformer<V1Namespace>(new FrozenSource<V1Namespace>("Namespace", [ns]), new InformerOptions(), TimeProvider.System, NullLogger.Instance);
        _commands = new ResourceInformer<V1Alpha1DiagnosticCommand>(ResourceSources.Custom<V1Alpha1DiagnosticCommand>(_client), new InformerOptions(), TimeProvider.System, NullLogger.Instance);
        foreach (var informer in new IInformer[] { policies, namespaces, _commands })
        {
            _ = informer.RunAsync(_informers.Token);
            await informer.ReadyAsync(_ct);
        }
        _policies = new NamespacePolicies(policies, namespaces);
    }

    public async ValueTask DisposeAsync()
    {
        await _informers.CancelAsync();
        _informers.Dispose();
        _client.Dispose();
        await _sandbox.DisposeAsync();
    }

    private DiagnosticTriggerReconciler Reconciler(int budget = 20) => new(new CustomResourceClient<V1Alpha1DiagnosticTrigger>(_client), new CustomResourceClient<V1Alpha1DiagnosticCommand>(_client),
        _commands, new TriggerSpecCheck(new CommandSpecCheck(new CommandPolicy(), new TargetResolver(), _policies)), new CounterWatchBook(), _client,
        new EventRecorder(_client, new EventRecorderOptions("ops-operator"), _clock, NullLogger<EventRecorder>.Instance), _metrics,
        Options.Create(new OperatorOptions { MaxRunningTriggeredCommands = budget }), _clock, NullLogger<DiagnosticTriggerReconciler>.Instance);

    private Task<ReconcileResult> ReconcileAsync(string name, int budget = 20) => Reconciler(budget).ReconcileAsync(new NamespacedName(Ns, name), _ct);

    private async Task<V1Alpha1DiagnosticTrigger> CreateTriggerAsync(string name, int? expireAfter = null)
    {
        var created = await _client.CustomObjects.CreateNamespacedCustomObjectAsync<V1Alpha1DiagnosticTrigger>(new V1Alpha1DiagnosticTrigger
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
            Spec = new V1Alpha1DiagnosticTrigger.TriggerSpec
            {
                Target = new V1Alpha1DiagnosticCommand.PodTarget { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } } },
                Condition = new V1Alpha1DiagnosticTrigger.TriggerCondition { ContainerRestarted = new V1Alpha1DiagnosticTrigger.ContainerRestarted() },
                Action = new V1Alpha1DiagnosticTrigger.TriggerAction { Action = "processes" },
                Limits = new V1Alpha1DiagnosticTrigger.TriggerLimits { ExpireAfterSeconds = expireAfter },
            },
        }, ApiGroup.Name, ApiGroup.Version, Ns, V1Alpha1DiagnosticTrigger.Plural, cancellationToken: _ct);
        var afterCreation = new DateTimeOffset(DateTime.SpecifyKind(created.Metadata.CreationTimestamp!.Value, DateTimeKind.Utc)).AddSeconds(1);
        if (afterCreation > _clock.GetUtcNow()) _clock.SetUtcNow(afterCreation);
        return created;
    }

    /// <summary>A running pod of the app whose container restarted once, a second ago, and runs again.</summary>
    private async Task RestartedPodAsync(string app)
    {
        var pod = await _client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = $"{app}-pod", Labels = new Dictionary<string, string> { ["app"] = app } },
            Spec = new V1PodSpec { NodeName = "node-1", Containers = [new V1Container { Name = "api", Image = "sleep" }] },
        }, Ns, cancellationToken: _ct);
        var ended = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromSeconds(2));
        pod.Status = new V1PodStatus
        {
            Phase = "Running",
            ContainerStatuses = [new V1ContainerStatus
            {
                Name = "api", Image = "sleep", ImageID = "", Ready = true, RestartCount = 1, ContainerID = "sandbox://1",
                State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = ended.AddSeconds(1).UtcDateTime } },
                LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 137, Reason = "OOMKilled", FinishedAt = ended.UtcDateTime } },
            }],
        };
        await _client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, pod.Metadata.Name, Ns, cancellationToken: _ct);
    }

    private async Task<V1Alpha1DiagnosticTrigger> TriggerAsync(string name) =>
        await _client.CustomObjects.GetNamespacedCustomObjectAsync<V1Alpha1DiagnosticTrigger>(ApiGroup.Name, ApiGroup.Version, Ns, V1Alpha1DiagnosticTrigger.Plural, name, _ct);

    private async Task<IList<V1Alpha1DiagnosticCommand>> CommandsAsync(string trigger) =>
        (await _client.CustomObjects.ListNamespacedCustomObjectAsync<CustomResourceList<V1Alpha1DiagnosticCommand>>(ApiGroup.Name, ApiGroup.Version, Ns, V1Alpha1DiagnosticCommand.Plural,
            labelSelector: $"{TriggerCommands.TriggerLabel}={trigger}", cancellationToken: _ct)).Items;

    [Fact]
    public async Task A_crossing_whose_record_was_lost_finds_its_command_and_starts_no_second()
    {
        var trigger = await CreateTriggerAsync("oom");
        await RestartedPodAsync("oom");

        await ReconcileAsync("oom");
        var fired = (await TriggerAsync("oom")).Status!;
        // What an operator that restarted between the command's create and the status write would find: the command, no record.
        await new CustomResourceClient<V1Alpha1DiagnosticTrigger>(_client).ReplaceStatusAsync(await TriggerAsync("oom"), t => t.Status = null, _ct);
        await ReconcileAsync("oom");

        var command = Assert.Single(await CommandsAsync("oom"));
        Assert.Equal(trigger.Metadata.Uid, command.Metadata.OwnerReferences.Single().Uid);
        Assert.Equal(["oom-pod"], command.Spec.Target.Pods!.Names!);
        Assert.Equal("container api restarted (restart 1, OOMKilled, exit code 137)", command.Metadata.Annotations[TriggerCommands.CrossingAnnotation]);
        Assert.Equal(command.Metadata.Name, Assert.Single(fired.Firings!).Command);
        Assert.Equal(command.Metadata.Name, Assert.Single((await TriggerAsync("oom")).Status!.Firings!).Command);
    }

    [Fact]
    public async Task An_expired_trigger_says_so_once_and_fires_no_more()
    {
        await CreateTriggerAsync("old", expireAfter: 60);
        await ReconcileAsync("old");
        _clock.Advance(TimeSpan.FromSeconds(61));
        await RestartedPodAsync("old");

        var result = await ReconcileAsync("old");
        await ReconcileAsync("old");

        var active = (await TriggerAsync("old")).Status!.Conditions!.Single(c => c.Type == TriggerConditions.Active);
        Assert.Equal(("False", "Expired"), (active.Status, active.Reason));
        Assert.Null(result.RequeueAfter);
        Assert.Empty(await CommandsAsync("old"));
        var expired = (await _client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: "involvedObject.name=old,reason=Expired", cancellationToken: _ct)).Items;
        Assert.Single(expired);
        Assert.EndsWith("(limits.expireAfterSeconds): it fires no more and stops watching its pods", expired[0].Message);
    }

    [Fact]
    public async Task The_operators_budget_of_running_triggered_commands_holds_a_crossing_back_with_its_condition()
    {
        await CreateTriggerAsync("first");
        await RestartedPodAsync("first");
        await ReconcileAsync("first", budget: 1);
        await Eventually.True(() => Task.FromResult(_commands.Items.Any(c => c.Metadata.Labels?.ContainsKey(TriggerCommands.TriggerLabel) == true)), "the first trigger's command in the cache");
        await CreateTriggerAsync("second");
        await RestartedPodAsync("second");

        await ReconcileAsync("second", budget: 1);

        Assert.Empty(await CommandsAsync("second"));
        var limit = (await TriggerAsync("second")).Status!.Conditions!.Single(c => c.Type == TriggerConditions.LimitReached);
        Assert.Equal(("True", "OperatorBudget"), (limit.Status, limit.Reason));
        Assert.EndsWith("held back: 1 triggered commands are running in the cluster, the operator's limit (Operator:MaxRunningTriggeredCommands)", limit.Message);
        Assert.Equal((1, 1), (_metrics.TriggerFired.WithLabels("containerRestarted").Value, _metrics.TriggerWithheld.WithLabels("OperatorBudget").Value));
    }
}
