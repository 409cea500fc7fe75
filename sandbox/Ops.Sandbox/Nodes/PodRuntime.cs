using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Ops.Sandbox.Api;
using Ops.Sandbox.Hosting;

namespace Ops.Sandbox.Nodes;

/// <summary>
/// The processes of one pod on a simulated node. Each container is a real process (or one simulated in the sandbox) started in the
/// pod's own directory (its file system: volumes are materialized there and paths in env and args
/// rewritten to it), restarted per restartPolicy with backoff, ready when its readiness probe's port
/// accepts connections. Every change is reported so the kubelet can write the pod's status.
/// </summary>
internal sealed class PodRuntime : IAsyncDisposable
{
    private readonly JsonObject _pod;
    private readonly string _directory;
    private readonly string _nodeRoot;
    private readonly IReadOnlyDictionary<string, SandboxImage> _images;
    private readonly PodSpecResolver _resolver;
    private readonly KubeconfigLocation _kubeconfig;
    private readonly Processes.SandboxWorkspace _workspace;
    private readonly Action<PodRuntime> _changed;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ContainerRuntime> _containers;
    private Task _running = Task.CompletedTask;

    public PodRuntime(JsonObject pod, SimulatedNode node, string podIp, string directory, string nodeRoot, IReadOnlyDictionary<string, SandboxImage> images, PodSpecResolver resolver,
        KubeconfigLocation kubeconfig, Processes.SandboxWorkspace workspace, Action<PodRuntime> changed, TimeProvider clock, ILogger logger)
    {
        _pod = pod;
        Node = node;
        PodIp = podIp;
        _directory = directory;
        _nodeRoot = nodeRoot;
        _images = images;
        _resolver = resolver;
        _kubeconfig = kubeconfig;
        _workspace = workspace;
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

    public void Start() => _running = Task.WhenAll(Containers().Select((spec, i) => Task.Run(() => RunContainerAsync(spec, _containers[i], _stop.Token))));

    private IEnumerable<JsonObject> Containers() => (_pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>();

    private async Task RunContainerAsync(JsonObject spec, ContainerRuntime container, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var kubeconfig = await _kubeconfig.Known.WaitAsync(cancellationToken).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "", TaskScheduler.Default);
        while (!cancellationToken.IsCancellationRequested)
        {
            IContainerProcess? process = null;
            try
            {
                process = Launch(spec, container, kubeconfig);
                container.Started(process, _clock.GetUtcNow());
                _changed(this);
                using var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var probe = ProbeAsync(spec, container, probing.Token);
                await process.WaitForExitAsync(cancellationToken);
                await probing.CancelAsync();
                container.Exited(process.ExitCode, _clock.GetUtcNow());
                _logger.LogInformation("Container {Container} of pod {Pod} exited with {ExitCode}", container.Name, _pod["metadata"]?["name"], process.ExitCode);
                _changed(this);
                await probe;
                var restart = RestartPolicy == "Always" || (RestartPolicy == "OnFailure" && process.ExitCode != 0);
                if (!restart) return;
                backoff = _clock.GetUtcNow() - container.StartedAt > TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
                container.Waiting = ("CrashLoopBackOff", $"back-off {backoff.TotalSeconds:0}s restarting failed container={container.Name}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is PodSpecResolver.ConfigException or UnknownImageException or System.ComponentModel.Win32Exception or IOException)
            {
                container.Waiting = (e switch
                {
                    UnknownImageException => "ErrImagePull",
                    PodSpecResolver.ConfigException => "CreateContainerConfigError",
                    _ => "RunContainerError",
                }, e.Message);
            }
            _changed(this);
            try
            {
                await Task.Delay(backoff, _clock, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private IContainerProcess Launch(JsonObject spec, ContainerRuntime container, string kubeconfig)
    {
        var imageName = SandboxImage.NameOf(container.Image);
        if (!_images.TryGetValue(imageName, out var named)) throw new UnknownImageException($"image \"{container.Image}\" is not one the sandbox runs (it runs: {string.Join(", ", _images.Keys.Order(StringComparer.Ordinal))})");
        var image = named.For(container.Image);
        var rootfs = Path.Combine(_directory, "rootfs");
        Directory.CreateDirectory(rootfs);
        var mounts = _resolver.Mounts(_pod, spec, rootfs, _nodeRoot);
        var env = _resolver.Environment(_pod, spec, Node, PodIp);
        var command = (spec["command"] as JsonArray)?.Select(a => (string?)a ?? "").ToList();
        var args = (spec["args"] as JsonArray)?.Select(a => (string?)a ?? "").ToList();
        if (image.InProcess is { } inProcess)
        {
            return inProcess(new ContainerLaunch(Node, PodIp, container.Image, rootfs,
                env.ToDictionary(e => e.Key, e => PodSpecResolver.Rewrite(e.Value, mounts), StringComparer.Ordinal),
                [.. (args ?? [.. image.DefaultArgs]).Select(a => PodSpecResolver.Rewrite(a, mounts))]));
        }
        var start = new ProcessStartInfo(command is { Count: > 0 } ? command[0] : image.FileName)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = false, WorkingDirectory = rootfs,
        };
        foreach (var arg in (command is { Count: > 0 } ? command.Skip(1) : image.Entrypoint).Concat(args ?? [.. image.DefaultArgs]))
        {
            start.ArgumentList.Add(PodSpecResolver.Rewrite(arg, mounts));
        }
        // In a cluster a pod reaches the API through its service account; here through the sandbox's kubeconfig.
        start.Environment["KUBECONFIG"] = kubeconfig;
        foreach (var (name, value) in env) start.Environment[name] = PodSpecResolver.Rewrite(value, mounts);
        var process = _workspace.Start(start);
        var log = new StreamWriter(Path.Combine(_directory, $"{container.Name}.log"), append: true) { AutoFlush = true };
        var gate = new Lock();
        var openStreams = 2;
        // Each stream ends with a null line; the log is closed after both, never while a line may still come.
        void Write(string? line)
        {
            lock (gate)
            {
                if (line is not null) log.WriteLine(line);
                else if (--openStreams == 0) log.Dispose();
            }
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new OsProcess(process);
    }

    /// <summary>
    /// Runs the readiness probe as a kubelet does: tcpSocket succeeds when the port accepts a connection,
    /// httpGet when GET of its path answers 200-399; ready after one success, not ready after
    /// failureThreshold (3) failures in a row, every periodSeconds (10). Until the first success it probes
    /// every 200 ms (the sandbox's shortcut, so pods start fast), and an HTTPS probe checks the certificate
    /// (a kubelet does not; no sandbox pod probes over HTTPS). Ready at once without a probe.
    /// </summary>
    private async Task ProbeAsync(JsonObject spec, ContainerRuntime container, CancellationToken cancellationToken)
    {
        var probe = spec["readinessProbe"] as JsonObject;
        if (probe is null)
        {
            container.BecameReady(_clock.GetUtcNow());
            _changed(this);
            return;
        }
        var period = TimeSpan.FromSeconds(Math.Max(1, (int?)probe["periodSeconds"] ?? 10));
        var failureThreshold = Math.Max(1, (int?)probe["failureThreshold"] ?? 3);
        var failures = 0;
        var readyOnce = false;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
        }) { Timeout = TimeSpan.FromSeconds(Math.Max(1, (int?)probe["timeoutSeconds"] ?? 1)) };
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var ok = await ProbeOnceAsync(http, probe, cancellationToken);
                var was = container.Ready;
                if (ok)
                {
                    failures = 0;
                    readyOnce = true;
                    if (!was) container.BecameReady(_clock.GetUtcNow());
                }
                else if (was && ++failures >= failureThreshold)
                {
                    container.BecameUnready();
                }
                if (was != container.Ready) _changed(this);
                await Task.Delay(readyOnce ? period : TimeSpan.FromMilliseconds(200), _clock, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> ProbeOnceAsync(HttpClient http, JsonObject probe, CancellationToken cancellationToken)
    {
        try
        {
            if (probe["httpGet"] is JsonObject get)
            {
                var scheme = ((string?)get["scheme"] ?? "HTTP").ToLowerInvariant();
                var path = (string?)get["path"] ?? "/";
                using var response = await http.GetAsync(new Uri($"{scheme}://{PodIp}:{(int)get["port"]!}{(path.StartsWith('/') ? path : "/" + path)}"), cancellationToken);
                return (int)response.StatusCode is >= 200 and < 400;
            }
            if (probe["tcpSocket"]?["port"] is JsonNode port)
            {
                using var client = new TcpClient();
                await client.ConnectAsync(PodIp, (int)port, cancellationToken);
                return true;
            }
            return true;
        }
        catch (Exception e) when (e is SocketException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
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
        var readyTime = allReady && _containers.Max(c => c.ReadySince) is { } since ? Timestamps.Format(since) : time;
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
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        _stop.Dispose();
    }

    private sealed class UnknownImageException(string message) : Exception(message);
}
