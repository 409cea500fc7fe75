using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Informers;
using Ops.Operator.Admission;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.Operator.Controllers.ScheduledTasks;
using Ops.Operator.Policies;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Operator.Tests.Controllers.ScheduledTasks;

/// <summary>The ScheduledTask controller against a sandbox API server, driven by a fake clock.</summary>
public sealed class ScheduledTaskReconcilerTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(TimeProvider.System.GetUtcNow());
    private SandboxServer _sandbox = null!;
    private Kubernetes _client = null!;
    private const string Ns = "default";
    private readonly CancellationTokenSource _informers = new();
    private NamespacePolicies _policies = null!;

    /// <summary>The namespace's policy: everything but dumps larger than heap.</summary>
    private static readonly V1Alpha1DiagnosticPolicy Policy = new()
    {
        Metadata = new V1ObjectMeta { Name = "tests" },
        Spec = new()
        {
            NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = Ns } },
            ActionGroups = [.. Agent.V1.Actions.ActionGroups.All], NodeTargets = true, MaxDumpType = "heap",
        },
    };

    public async ValueTask InitializeAsync()
    {
        _sandbox = await SandboxFixture.StartAsync(new SandboxOptions());
        _client = SandboxFixture.CreateClient(_sandbox);
        var ns = new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns, Labels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = Ns } } };
        var policies = new ResourceInformer<V1Alpha1DiagnosticPolicy>(new FrozenSource<V1Alpha1DiagnosticPolicy>("DiagnosticPolicy", [Policy]), new InformerOptions(), TimeProvider.System, NullLogger.Instance);
        var namespaces = new ResourceInformer<V1Namespace>(new FrozenSource<V1Namespace>("Namespace", [ns]), new InformerOptions(), TimeProvider.System, NullLogger.Instance);
        foreach (var informer in new IInformer[] { policies, namespaces })
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

    private ScheduledTaskReconciler Reconciler() => new(new CustomResourceClient<V1Alpha1ScheduledTask>(_client), new CustomResourceClient<V1Alpha1DiagnosticCommand>(_client),
        new CommandSpecCheck(new CommandPolicy(), new TargetResolver(), _policies), _client,
        new EventRecorder(_client, new EventRecorderOptions("ops-operator"), _clock, NullLogger<EventRecorder>.Instance), _clock, NullLogger<ScheduledTaskReconciler>.Instance);

    private async Task<V1Alpha1ScheduledTask> CreateAsync(string name, string schedule = "* * * * *", string policy = "Allow", bool suspend = false, string? zone = null,
        string action = "node.info", Dictionary<string, string>? parameters = null, Dictionary<string, string>? annotations = null, Dictionary<string, string>? templateAnnotations = null)
    {
        var task = new V1Alpha1ScheduledTask
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Annotations = annotations },
            Spec = new V1Alpha1ScheduledTask.TaskSpec
            {
                Schedule = schedule, TimeZone = zone, ConcurrencyPolicy = policy, Suspend = suspend,
                Template = new V1Alpha1ScheduledTask.CommandTemplate
                {
                    Metadata = new V1Alpha1ScheduledTask.TemplateMetadata { Labels = new Dictionary<string, string> { ["team"] = "checkout" }, Annotations = templateAnnotations },
                    Spec = new V1Alpha1DiagnosticCommand.CommandSpec { Action = action, Parameters = parameters, Target = new V1Alpha1DiagnosticCommand.TargetSpec { Nodes = new V1Alpha1DiagnosticCommand.NodeTarget() } },
                },
            },
        };
        var created = await _client.CustomObjects.CreateNamespacedCustomObjectAsync<V1Alpha1ScheduledTask>(task, ApiGroup.Name, ApiGroup.Version, Ns, "scheduledtasks", cancellationToken: _ct);
        // The fake clock starts just after the creation time (whole seconds), so the next whole minute is always a run after it. Half a
        // second, not a whole one: a task created at hh:mm:59 had its clock start at the next minute, a run already due.
        var afterCreation = new DateTimeOffset(DateTime.SpecifyKind(created.Metadata.CreationTimestamp!.Value, DateTimeKind.Utc)).AddMilliseconds(500);
        if (afterCreation > _clock.GetUtcNow()) _clock.SetUtcNow(afterCreation);
        return created;
    }

    private Task<ReconcileResult> ReconcileAsync(string name) => Reconciler().ReconcileAsync(new NamespacedName(Ns, name), _ct);

    private async Task<V1Alpha1ScheduledTask> TaskAsync(string name) =>
        await _client.CustomObjects.GetNamespacedCustomObjectAsync<V1Alpha1ScheduledTask>(ApiGroup.Name, ApiGroup.Version, Ns, "scheduledtasks", name, _ct);

    private async Task<List<V1Alpha1DiagnosticCommand>> RunsAsync(string task) =>
        [.. (await _client.CustomObjects.ListNamespacedCustomObjectAsync<CustomResourceList<V1Alpha1DiagnosticCommand>>(ApiGroup.Name, ApiGroup.Version, Ns, V1Alpha1DiagnosticCommand.Plural,
            labelSelector: $"{ScheduledTaskReconciler.TaskLabel}={task}", cancellationToken: _ct)).Items.OrderBy(c => c.Metadata.Name, StringComparer.Ordinal)];

    /// <summary>Moves the clock a few seconds past the next whole minute.</summary>
    private DateTimeOffset NextMinute()
    {
        var now = _clock.GetUtcNow();
        var next = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        _clock.SetUtcNow(next.AddSeconds(5));
        return next;
    }

    private async Task FinishAsync(V1Alpha1DiagnosticCommand command, string phase)
    {
        await new CustomResourceClient<V1Alpha1DiagnosticCommand>(_client).ReplaceStatusAsync(command, c => c.Status = new V1Alpha1DiagnosticCommand.CommandStatus
        {
            Phase = phase, StartTime = _clock.GetUtcNow().UtcDateTime, CompletionTime = Conditions.Truncate(_clock.GetUtcNow()),
        }, _ct);
    }

    [Fact]
    public async Task A_due_run_creates_one_owned_command_named_after_its_minute_and_the_task_wakes_for_the_next()
    {
        var task = await CreateAsync("every-minute");

        var before = await ReconcileAsync("every-minute");
        Assert.Empty(await RunsAsync("every-minute"));
        Assert.NotNull(before.RequeueAfter);
        var first = NextMinute();
        var due = await ReconcileAsync("every-minute");
        var replay = await Reconciler().ReconcileAsync(new NamespacedName(Ns, "every-minute"), _ct);

        var run = Assert.Single(await RunsAsync("every-minute"));
        Assert.Equal(ScheduledTaskReconciler.RunName("every-minute", first), run.Metadata.Name);
        Assert.Equal("checkout", run.Metadata.Labels["team"]);
        Assert.Equal(task.Metadata.Uid, run.Metadata.OwnerReferences.Single().Uid);
        var status = (await TaskAsync("every-minute")).Status!;
        Assert.Equal(first.UtcDateTime, status.LastScheduleTime);
        Assert.Equal(first.AddMinutes(1).UtcDateTime, status.NextScheduleTime);
        Assert.Equal(run.Metadata.Name, Assert.Single(status.Active!).Name);
        Assert.Equal(TimeSpan.FromSeconds(55), due.RequeueAfter);
        Assert.Equal(TimeSpan.FromSeconds(55), replay.RequeueAfter);
    }

    [Fact]
    public async Task A_run_is_asked_for_by_the_tasks_requester_whatever_its_template_says()
    {
        var alice = new Requester("alice", ["shop-devs"]).ToAnnotation();
        var forged = new Requester("cluster-admin", ["system:masters"]).ToAnnotation();
        await CreateAsync("stamped", annotations: new() { [Requester.Annotation] = alice }, templateAnnotations: new() { [Requester.Annotation] = forged });
        await CreateAsync("unstamped", templateAnnotations: new() { [Requester.Annotation] = forged });

        NextMinute();
        await ReconcileAsync("stamped");
        await ReconcileAsync("unstamped");

        Assert.Equal(alice, Assert.Single(await RunsAsync("stamped")).Metadata.Annotations[Requester.Annotation]);
        Assert.False(Assert.Single(await RunsAsync("unstamped")).Metadata.Annotations.ContainsKey(Requester.Annotation));
    }

    [Theory]
    [InlineData("Allow", 2, 2)]
    [InlineData("Forbid", 1, 1)]
    [InlineData("Replace", 1, 1)]
    public async Task A_run_due_while_the_previous_one_is_active_follows_the_concurrency_policy(string policy, int runs, int active)
    {
        var name = $"policy-{policy.ToLowerInvariant()}";
        await CreateAsync(name, policy: policy);
        var first = NextMinute();
        await ReconcileAsync(name);
        var second = NextMinute();

        await ReconcileAsync(name);

        var commands = await RunsAsync(name);
        Assert.Equal(runs, commands.Count(c => c.Metadata.DeletionTimestamp is null));
        Assert.Equal(active, (await TaskAsync(name)).Status!.Active!.Count);
        Assert.Equal(second.UtcDateTime, (await TaskAsync(name)).Status!.LastScheduleTime);
        var expected = policy == "Forbid" ? first : second;
        Assert.Contains(commands, c => c.Metadata.Name == ScheduledTaskReconciler.RunName(name, expected));
        if (policy == "Forbid")
        {
            var events = await _client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: $"involvedObject.name={name}", cancellationToken: _ct);
            Assert.Contains(events.Items, e => e.Reason == "RunSkipped" && e.Type == "Warning");
        }
    }

    [Fact]
    public async Task A_suspended_task_starts_nothing_and_resuming_runs_the_due_time()
    {
        await CreateAsync("paused", suspend: true);
        NextMinute();

        await ReconcileAsync("paused");
        Assert.Empty(await RunsAsync("paused"));
        Assert.Equal("Suspended", (await TaskAsync("paused")).Status!.Conditions!.Single(c => c.Type == TaskConditions.Scheduled).Reason);

        await _client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("""{"spec":{"suspend":false}}""", V1Patch.PatchType.MergePatch), ApiGroup.Name, ApiGroup.Version, Ns, "scheduledtasks", "paused", cancellationToken: _ct);
        await ReconcileAsync("paused");
        Assert.Single(await RunsAsync("paused"));
    }

    [Fact]
    public async Task Finished_runs_beyond_the_history_limits_are_deleted_oldest_first()
    {
        await CreateAsync("history");
        var names = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var minute = NextMinute();
            await ReconcileAsync("history");
            names.Add(ScheduledTaskReconciler.RunName("history", minute));
            var newest = (await RunsAsync("history")).Single(c => c.Metadata.Name == names[^1]);
            _clock.Advance(TimeSpan.FromSeconds(10));
            await FinishAsync(newest, i == 4 ? CommandPhase.Failed : CommandPhase.Succeeded);
        }

        await ReconcileAsync("history");

        // Four succeeded (limit 3: the oldest goes) and one failed (limit 1: it stays).
        var left = (await RunsAsync("history")).Where(c => c.Metadata.DeletionTimestamp is null).Select(c => c.Metadata.Name).Order(StringComparer.Ordinal);
        Assert.Equal(names.Skip(1).Order(StringComparer.Ordinal), left);
        Assert.NotNull((await TaskAsync("history")).Status!.LastSuccessfulTime);
    }

    [Theory]
    [InlineData("not a schedule", null, "InvalidSchedule")]
    [InlineData("0 3 * * *", "Nowhere/Land", "InvalidSchedule")]
    public async Task An_invalid_schedule_or_time_zone_is_a_condition_and_creates_nothing(string schedule, string? zone, string reason)
    {
        await CreateAsync("broken", schedule, zone: zone);
        NextMinute();

        var result = await ReconcileAsync("broken");

        var condition = (await TaskAsync("broken")).Status!.Conditions!.Single(c => c.Type == TaskConditions.Scheduled);
        Assert.Equal(("False", reason), (condition.Status, condition.Reason));
        Assert.StartsWith("spec.", condition.Message);
        Assert.Empty(await RunsAsync("broken"));
        Assert.Null(result.RequeueAfter);
    }

    [Theory]
    [InlineData("dotnet.nothing", null, "UnknownAction", "spec.template: spec.action \"dotnet.nothing\" is not an action of the catalogue")]
    [InlineData("log.grep", "maxLines=0", "InvalidParameters", "spec.template: spec.parameters of log.grep: parameter \"path\" is required")]
    [InlineData("dotnet.dump", "type=full", "PolicyDenied", "spec.template: DiagnosticPolicy tests allows dumps up to maxDumpType heap in namespace default; a full dump was asked for")]
    public async Task A_template_every_run_would_fail_with_is_a_condition_and_creates_nothing(string action, string? parameter, string reason, string message)
    {
        var parameters = parameter?.Split('=') is [var key, var value] ? new Dictionary<string, string> { [key] = value } : null;
        await CreateAsync("doomed", action: action, parameters: parameters);
        NextMinute();

        await ReconcileAsync("doomed");

        var condition = (await TaskAsync("doomed")).Status!.Conditions!.Single(c => c.Type == TaskConditions.Scheduled);
        Assert.Equal(("False", reason), (condition.Status, condition.Reason));
        Assert.StartsWith(message, condition.Message);
        Assert.Empty(await RunsAsync("doomed"));
    }

    [Fact]
    public async Task A_name_too_long_for_its_runs_is_a_condition_and_creates_nothing()
    {
        var name = new string('t', ScheduledTaskReconciler.MaxNameLength + 1);
        await CreateAsync(name);
        NextMinute();

        await ReconcileAsync(name);

        var condition = (await TaskAsync(name)).Status!.Conditions!.Single(c => c.Type == TaskConditions.Scheduled);
        Assert.Equal(("False", "InvalidName"), (condition.Status, condition.Reason));
        Assert.Equal("metadata.name: at most 54 characters, not 55: each run is a DiagnosticCommand named TASK-MINUTES, at most 63 characters", condition.Message);
        Assert.Empty(await RunsAsync(name));
    }
}
