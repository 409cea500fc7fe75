using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Nodes;

/// <summary>
/// One pod on a node, run through the node's runtime as a kubelet runs it: its sandbox first, then each
/// container, restarted per restartPolicy with backoff (a failed pull backs off as ImagePullBackOff), ready
/// when its readiness probe succeeds. Every change is reported so the kubelet can write the pod's status.
/// </summary>
internal sealed class PodRuntime : IAsyncDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    // A kubelet backs off up to 5 minutes; the sandbox to 10 seconds, so tests and demos see restarts.
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly JsonObject _pod;
    private readonly string _directory;
    private readonly string _nodeRoot;
    private readonly INodeRuntime _runtime;
    private readonly Action<PodRuntime> _changed;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ContainerRuntime> _containers;
    private readonly TaskCompletionSource<IPodSandbox?> _sandbox = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _running = Task.CompletedTask;

    public PodRuntime(JsonObject pod, SimulatedNode node, string podIp, string directory, string nodeRoot, INodeRuntime runtime, Action<PodRuntime> changed, TimeProvider clock, ILogger logger)
    {
        _pod = pod;
        Node = node;
        PodIp = podIp;
        _directory = directory;
        _nodeRoot = nodeRoot;
        _runtime = runtime;
        _changed = changed;
        _clock = clock;
        _logger = logger;
        Uid = (string?)pod["metadata"]?["uid"] ?? "";
        StartTime = clock.GetUtcNow();
        _containers = [.. Containers().Select(c => new ContainerRuntime((string?)c["name"] ?? "", (string?)c["image"] ?? ""))];
    }

    public string Uid { get; }
    public SimulatedNode Node { get; }
    public string PodIp { get; }
    public DateTimeOffset StartTime { get; }
    public IReadOnlyList<ContainerRuntime> ContainerStates => _containers;
    public string RestartPolicy => (string?)_pod["spec"]?["restartPolicy"] ?? "Always";

    public void Start() => _running = Task.Run(() => RunAsync(_stop.Token));

    private IEnumerable<JsonObject> Containers() => (_pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>();

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var sandbox = await RunSandboxAsync(cancellationToken);
        _sandbox.TrySetResult(sandbox);
        if (sandbox is null) return;
        await Task.WhenAll(Containers().Select((spec, i) => Task.Run(() => RunContainerAsync(sandbox, spec, _containers[i], cancellationToken))));
    }

    /// <summary>The pod's sandbox, retried with backoff while the runtime refuses it (its containers wait in ContainerCreating); null once the pod stops.</summary>
    private async Task<IPodSandbox?> RunSandboxAsync(CancellationToken cancellationToken)
    {
        var backoff = FirstBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                Directory.CreateDirectory(_directory);
                return await _runtime.RunPodSandboxAsync(new PodSandboxRequest(_pod, Node, PodIp, _directory, _nodeRoot), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (ContainerStartException e)
            {
                _logger.LogWarning("Sandbox of pod {Pod} could not be created: {Message}", _pod["metadata"]?["name"], e.Message);
                foreach (var container in _containers) container.Waiting = ("ContainerCreating", $"failed to create the pod sandbox: {e.Message}");
                _changed(this);
            }
            try
            {
                await Task.Delay(backoff, _clock, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            backoff = Next(backoff);
        }
        return null;
    }

    private static TimeSpan Next(TimeSpan backoff) => TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));

    private async Task RunContainerAsync(IPodSandbox sandbox, JsonObject spec, ContainerRuntime container, CancellationToken cancellationToken)
    {
        var backoff = FirstBackoff;
        var pullBackoff = FirstBackoff;
        var probe = new ReadinessProbe(spec["readinessProbe"] as JsonObject, PodIp, _clock);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var process = await sandbox.StartContainerAsync(spec, container.Starts, cancellationToken);
                pullBackoff = FirstBackoff;
                container.Started(process, _clock.GetUtcNow());
                _changed(this);
                using var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var probed = probe.RunAsync(container, process, () => _changed(this), probing.Token);
                await process.WaitForExitAsync(cancellationToken);
                await probing.CancelAsync();
                container.Exited(process.ExitCode, process.ExitReason, _clock.GetUtcNow());
                _logger.LogInformation("Container {Container} of pod {Pod} exited with {ExitCode} {Reason}", container.Name, _pod["metadata"]?["name"], process.ExitCode, process.ExitReason);
                _changed(this);
                await probed;
                var restart = RestartPolicy == "Always" || (RestartPolicy == "OnFailure" && process.ExitCode != 0);
                if (!restart) return;
                backoff = _clock.GetUtcNow() - container.StartedAt > MaxBackoff ? FirstBackoff : Next(backoff);
                container.Waiting = ("CrashLoopBackOff", $"back-off {backoff.TotalSeconds:0}s restarting failed container={container.Name} pod={_pod["metadata"]?["name"]}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ContainerStartException e) when (e.IsPull)
            {
                // As a kubelet: the pull's error first, then ImagePullBackOff while it waits to pull again.
                container.Waiting = (e.Reason, e.Message);
                _changed(this);
                if (!await DelayAsync(FirstBackoff, cancellationToken)) return;
                container.Waiting = ("ImagePullBackOff", $"Back-off pulling image \"{container.Image}\": {e.Reason}: {e.Message}");
                _changed(this);
                if (!await DelayAsync(pullBackoff, cancellationToken)) return;
                pullBackoff = Next(pullBackoff);
                continue;
            }
            catch (ContainerStartException e)
            {
                container.Waiting = (e.Reason, e.Message);
            }
            _changed(this);
            if (!await DelayAsync(backoff, cancellationToken)) return;
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _clock, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The pod's status as the kubelet reports it.</summary>
    public JsonObject Status()
    {
        var containers = _containers.Select(c => c.Status()).ToList();
        var allReady = _containers.All(c => c.Ready);
        var terminated = _containers.All(c => c.Terminated is not null) && RestartPolicy != "Always" && _containers.All(c => c.Waiting is null);
        var phase = terminated ? _containers.All(c => c.Terminated!.Value.ExitCode == 0) ? "Succeeded" : "Failed"
            : _containers.Any(c => c.Process is not null && c.Waiting is null && c.Terminated is null) || _containers.Any(c => c.RestartCount > 0) ? "Running"
            : "Pending";
        var time = Timestamps.Format(StartTime);
        // As a kubelet reports it: Ready's transition time is when the pod last became ready, or last stopped being ready.
        var readyTime = allReady && _containers.Max(c => c.ReadySince) is { } since ? Timestamps.Format(since)
            : _containers.Where(c => !c.Ready).Max(c => c.UnreadySince) is { } lost ? Timestamps.Format(lost)
            : time;
        return new JsonObject
        {
            ["phase"] = phase,
            ["hostIP"] = Node.Address,
            ["podIP"] = PodIp,
            ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = PodIp }),
            ["startTime"] = time,
            ["conditions"] = new JsonArray(
                Condition("PodScheduled", true, time), Condition("Initialized", true, time),
                Condition("ContainersReady", allReady, readyTime), Condition("Ready", allReady, readyTime)),
            ["containerStatuses"] = new JsonArray([.. containers]),
        };
    }

    private static JsonObject Condition(string type, bool status, string time) => new() { ["type"] = type, ["status"] = status ? "True" : "False", ["lastTransitionTime"] = time };

    /// <summary>SIGTERM to every container's process, SIGKILL after the grace period; then the pod's files go.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        var grace = TimeSpan.FromSeconds(Math.Min(5, (int?)_pod["spec"]?["terminationGracePeriodSeconds"] ?? 5));
        var processes = _containers.Select(c => c.Process).OfType<IContainerProcess>().Where(p => !p.HasExited).ToList();
        foreach (var process in processes) process.Terminate();
        using var timeout = new CancellationTokenSource(grace);
        foreach (var process in processes)
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
            }
        }
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var process in processes) process.Dispose();
        foreach (var container in _containers) container.Previous?.Dispose();
        if (_sandbox.Task.IsCompleted && await _sandbox.Task is { } sandbox) await sandbox.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        _stop.Dispose();
    }
}
