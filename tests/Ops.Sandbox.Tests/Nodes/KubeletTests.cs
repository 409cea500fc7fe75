using System.Diagnostics;
using k8s;
using k8s.Models;
using Ops.Sandbox.Hosting;
using Ops.Sandbox.Nodes;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Nodes;

/// <summary>The simulated nodes: pods run as real processes, restart, report why they cannot run; DaemonSets and Deployments keep their pods.</summary>
public sealed class KubeletTests : IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private SandboxServer _sandbox = null!;
    private Kubernetes _client = null!;

    // An image whose program lies under /tmp on this machine, as a build output in a clone under /tmp does.
    private readonly string _scriptUnderTmp = Path.Combine(TestWorkspace.CreateDirectory("image-"), "entrypoint.sh");

    public async ValueTask InitializeAsync()
    {
        await File.WriteAllTextAsync(_scriptUnderTmp, "echo the image program ran; sleep infinity\n", _ct);
        _sandbox = await SandboxFixture.StartAsync(new SandboxOptions
        {
            Nodes = 2,
            Images = new Dictionary<string, SandboxImage>
            {
                ["sleep"] = new("/bin/sleep", [], ["infinity"]),
                ["talk"] = new("/bin/sh", ["-c", "for i in 1 2 3; do echo line-$i; done; echo oops >&2; sleep infinity"], []),
                // Prints a line whenever the file $TRIGGER appears, so a test decides when output comes.
                ["chatty"] = new("/bin/sh", ["-c", "echo ready; while :; do if [ -e \"$TRIGGER\" ]; then rm \"$TRIGGER\"; echo later; fi; sleep 0.05; done"], []),
                ["crash"] = new("/bin/sh", ["-c", "exit 3"], []),
                ["under-tmp"] = new("/bin/sh", [_scriptUnderTmp], []),
                // Ignores SIGTERM, so only the grace period's SIGKILL stops it.
                ["stubborn"] = new("/bin/sh", ["-c", "trap '' TERM; while :; do sleep 0.1; done"], []),
            },
        }, applyCrds: false);
        _client = SandboxFixture.CreateClient(_sandbox);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _sandbox.DisposeAsync();
    }

    private static V1Pod Pod(string name, string image, string? secret = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            TerminationGracePeriodSeconds = 1,
            Containers = [new V1Container
            {
                Name = "main", Image = image,
                VolumeMounts = secret is null ? null : [new V1VolumeMount { Name = "s", MountPath = "/etc/s" }],
            }],
            Volumes = secret is null ? null : [new V1Volume { Name = "s", Secret = new V1SecretVolumeSource { SecretName = secret } }],
        },
    };

    private Task<V1Pod> PodAsync(string name, Func<V1Pod, bool> condition, string what) =>
        Eventually.Get(async () => await _client.CoreV1.ReadNamespacedPodAsync(name, "default", cancellationToken: _ct) is var p && condition(p) ? p : null, $"pod {name}: {what}");

    [Fact]
    public async Task A_containers_output_is_served_as_its_log_and_kubectl_logs_reads_it()
    {
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("talker", "talk"), "default", cancellationToken: _ct);
        await PodAsync("talker", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.Ready == true, "ready");

        var all = await Eventually.Get(async () => await ReadLogAsync("talker") is var text && text.Contains("oops") ? text : null, "the whole output in the log");
        var tail = (await new TestSupport.Kubectl(_sandbox.KubeconfigPath).RunAsync("logs talker --tail=2 -n default")).EnsureSuccess();
        var wrongContainer = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            _client.CoreV1.ReadNamespacedPodLogAsync("talker", "default", container: "sidecar", cancellationToken: _ct));

        Assert.Equal(["line-1", "line-2", "line-3", "oops"], all.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal(2, tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, wrongContainer.Response.StatusCode);
        Assert.Contains("container sidecar is not valid for pod talker", wrongContainer.Response.Content);
    }

    [Theory]
    [InlineData(true, 8087)]
    [InlineData(false, 8088)]
    public async Task Kubectl_port_forward_reaches_the_pods_port_over_a_websocket_or_spdy_and_exec_is_refused_with_a_status_that_says_why(bool webSockets, int port)
    {
        var name = webSockets ? "forwarded-ws" : "forwarded-spdy";
        await _client.CoreV1.CreateNamespacedPodAsync(Pod(name, "sleep"), "default", cancellationToken: _ct);
        var running = await PodAsync(name, p => p.Status?.Phase == "Running", "running");
        using var answers = new HttpAnswers(System.Net.IPAddress.Parse(running.Status.PodIP), port) { Status = 200 };
        using (var forward = await KubectlPortForward.StartAsync(_sandbox.KubeconfigPath, "default", $"pod/{name}", port, _ct, webSockets))
        {
            using var http = new HttpClient();
            // Two connections, two forwarded streams (requestIDs 0 and 1) over the one tunnel.
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{forward.LocalPort}/one", _ct)).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{forward.LocalPort}/two", _ct)).StatusCode);
            Assert.Equal("/two", answers.LastPath);
            Assert.Equal(2, answers.Requests);
        }
        var exec = await new TestSupport.Kubectl(_sandbox.KubeconfigPath).RunAsync($"exec {name} -n default -- true");
        Assert.NotEqual(0, exec.ExitCode);
        Assert.Contains("the sandbox does not serve pods/exec", exec.Stderr);
    }

    [Fact]
    public async Task Kubectl_logs_shows_when_each_line_was_written_and_leaves_out_lines_before_since()
    {
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("stamped", "talk"), "default", cancellationToken: _ct);
        await PodAsync("stamped", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.Ready == true, "ready");
        await Eventually.Get(async () => await ReadLogAsync("stamped") is var text && text.Contains("oops") ? text : null, "the whole output in the log");
        var kubectl = new TestSupport.Kubectl(_sandbox.KubeconfigPath);

        var stamped = (await kubectl.RunAsync("logs stamped -n default --timestamps")).EnsureSuccess().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var recent = (await kubectl.RunAsync("logs stamped -n default --since=1h")).EnsureSuccess().Stdout;
        var future = (await kubectl.RunAsync($"logs stamped -n default --since-time={DateTime.UtcNow.AddMinutes(5):yyyy-MM-dd'T'HH:mm:ss'Z'}")).EnsureSuccess().Stdout;
        var both = await kubectl.RunAsync("logs stamped -n default --since=1h --since-time=2020-01-01T00:00:00Z");

        Assert.Equal(4, stamped.Length);
        Assert.All(stamped, line => Assert.InRange(DateTimeOffset.Parse(line.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow));
        Assert.Equal(["line-1", "line-2", "line-3", "oops"], stamped.Select(l => l[(l.IndexOf(' ') + 1)..]).Order(StringComparer.Ordinal));
        Assert.Equal(4, recent.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal("", future);
        Assert.NotEqual(0, both.ExitCode);
    }

    [Fact]
    public async Task A_volume_at_tmp_rewrites_the_pods_arguments_but_not_the_images_own_program_path()
    {
        var pod = Pod("tmp-volume", "under-tmp");
        pod.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }];
        pod.Spec.Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }];
        await _client.CoreV1.CreateNamespacedPodAsync(pod, "default", cancellationToken: _ct);
        await PodAsync("tmp-volume", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.Ready == true, "running");

        var log = await Eventually.Get(async () => await ReadLogAsync("tmp-volume") is var text && text.Contains("ran") ? text : null, "the image's program to run");

        Assert.Contains("the image program ran", log);
    }

    [Fact]
    public async Task A_log_is_cut_at_limitBytes_and_followed_as_the_container_writes()
    {
        var trigger = Path.Combine(TestWorkspace.CreateDirectory("chatty-"), "next");
        var pod = Pod("chatty", "chatty");
        pod.Spec.Containers[0].Env = [new V1EnvVar { Name = "TRIGGER", Value = trigger }];
        await _client.CoreV1.CreateNamespacedPodAsync(pod, "default", cancellationToken: _ct);
        await PodAsync("chatty", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.Ready == true, "ready");
        await Eventually.Get(async () => await ReadLogAsync("chatty") is var text && text == "ready\n" ? text : null, "its first line");

        await using (var cut = await _client.CoreV1.ReadNamespacedPodLogAsync("chatty", "default", limitBytes: 3, cancellationToken: _ct))
        {
            Assert.Equal("rea", await new StreamReader(cut).ReadToEndAsync(_ct));
        }
        await using var followed = await _client.CoreV1.ReadNamespacedPodLogAsync("chatty", "default", follow: true, cancellationToken: _ct);
        using var lines = new StreamReader(followed);
        Assert.Equal("ready", await lines.ReadLineAsync(_ct).AsTask().WaitAsync(Timeouts.WatchEvent, _ct));
        // Written after the request was answered: only a followed log brings it.
        await File.WriteAllTextAsync(trigger, "", _ct);
        Assert.Equal("later", await lines.ReadLineAsync(_ct).AsTask().WaitAsync(Timeouts.WatchEvent, _ct));
    }

    private async Task<string> ReadLogAsync(string pod)
    {
        await using var stream = await _client.CoreV1.ReadNamespacedPodLogAsync(pod, "default", cancellationToken: _ct);
        return await new StreamReader(stream).ReadToEndAsync(_ct);
    }

    [Fact]
    public async Task The_nodes_are_registered_ready_each_with_its_own_loopback_address()
    {
        var nodes = (await _client.CoreV1.ListNodeAsync(cancellationToken: _ct)).Items.OrderBy(n => n.Metadata.Name).ToList();

        Assert.Equal(["node-1", "node-2"], nodes.Select(n => n.Metadata.Name));
        Assert.Equal(["127.0.0.11", "127.0.0.12"], nodes.Select(n => n.Status.Addresses.Single(a => a.Type == "InternalIP").Address));
        Assert.All(nodes, n => Assert.Equal("True", n.Status.Conditions.Single(c => c.Type == "Ready").Status));
    }

    [Fact]
    public async Task A_pod_runs_as_a_process_in_its_own_directory_and_deleting_it_ends_the_process()
    {
        await _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "greeting" }, StringData = new Dictionary<string, string> { ["hello"] = "world" } }, "default", cancellationToken: _ct);
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("runner", "sleep", secret: "greeting"), "default", cancellationToken: _ct);

        var pod = await PodAsync("runner", p => p.Status?.Phase == "Running" && p.Status.ContainerStatuses?.Single().Ready == true, "running and ready");
        using var process = Process.GetProcessById(SandboxPods.Pid(pod));
        var cwd = new DirectoryInfo($"/proc/{process.Id}/cwd").LinkTarget!;

        Assert.Contains(pod.Spec.NodeName, new[] { "node-1", "node-2" });
        Assert.Matches(@"^127\.[1-9]\d*\.\d+\.\d+$", pod.Status.PodIP);
        Assert.Equal("world", await File.ReadAllTextAsync(Path.Combine(cwd, "etc/s/hello"), _ct));
        Assert.Equal("True", pod.Status.Conditions.Single(c => c.Type == "Ready").Status);

        await _client.CoreV1.DeleteNamespacedPodAsync("runner", "default", cancellationToken: _ct);
        await process.WaitForExitAsync(_ct).WaitAsync(Timeouts.Eventually, _ct);
        await Eventually.True(() => Task.FromResult(!Directory.Exists(cwd)), "the pod's directory to be removed");
    }

    [Fact]
    public async Task An_http_readiness_probe_needs_a_2xx_answer_and_failing_it_again_makes_the_pod_unready()
    {
        const int port = 8086;
        var pod = Pod("probed", "sleep");
        pod.Spec.Containers[0].ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/ready", Port = port }, PeriodSeconds = 1, FailureThreshold = 2 };
        await _client.CoreV1.CreateNamespacedPodAsync(pod, "default", cancellationToken: _ct);
        var running = await PodAsync("probed", p => p.Status?.Phase == "Running", "running");
        using var answers = new HttpAnswers(System.Net.IPAddress.Parse(running.Status.PodIP), port) { Status = 503 };

        // Answering, but 503: not ready (the TCP port alone is not enough).
        await Eventually.True(() => Task.FromResult(answers.Requests >= 3), "probes to arrive");
        Assert.False((await _client.CoreV1.ReadNamespacedPodAsync("probed", "default", cancellationToken: _ct)).Status.ContainerStatuses.Single().Ready);

        answers.Status = 200;
        await PodAsync("probed", p => p.Status.ContainerStatuses.Single().Ready == true, "ready on 200");
        Assert.Equal("/ready", answers.LastPath);

        var ready = await PodAsync("probed", p => p.Status.Conditions.Single(c => c.Type == "Ready").Status == "True", "the Ready condition");
        var becameReady = ready.Status.Conditions.Single(c => c.Type == "Ready").LastTransitionTime!.Value;
        await Task.Delay(TimeSpan.FromSeconds(1.5), _ct);
        var failing = DateTime.UtcNow;
        answers.Status = 500;
        var unready = await PodAsync("probed", p => p.Status.ContainerStatuses.Single().Ready == false, "unready after two failures");
        var condition = unready.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("False", condition.Status);
        // As a kubelet reports it: the condition's transition time is when readiness was lost, not when the pod started.
        Assert.True(condition.LastTransitionTime > becameReady && condition.LastTransitionTime >= failing.AddSeconds(-1), $"Ready=False since {condition.LastTransitionTime:O}, ready since {becameReady:O}");
    }

    /// <summary>A tiny HTTP server on one address that answers every request with <see cref="Status"/>.</summary>
    private sealed class HttpAnswers : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener;
        private int _requests;

        public HttpAnswers(System.Net.IPAddress address, int port)
        {
            _listener = new System.Net.Sockets.TcpListener(address, port);
            _listener.Start();
            _ = ServeAsync();
        }

        public volatile int Status;
        public int Requests => Volatile.Read(ref _requests);
        public string? LastPath { get; private set; }

        private async Task ServeAsync()
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync();
                    using var stream = client.GetStream();
                    using var reader = new StreamReader(stream, leaveOpen: true);
                    var requestLine = await reader.ReadLineAsync() ?? "";
                    while (!string.IsNullOrEmpty(await reader.ReadLineAsync())) { }
                    LastPath = requestLine.Split(' ') is [_, var path, ..] ? path : null;
                    Interlocked.Increment(ref _requests);
                    await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 {Status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException or IOException)
            {
            }
        }

        public void Dispose() => _listener.Stop();
    }

    [Fact]
    public async Task A_container_whose_process_exits_is_restarted_with_the_exit_recorded()
    {
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("crasher", "crash"), "default", cancellationToken: _ct);

        var pod = await PodAsync("crasher", p => p.Status?.ContainerStatuses?.Single().RestartCount >= 1, "restarted");

        var status = pod.Status.ContainerStatuses.Single();
        Assert.Equal(3, status.LastState.Terminated.ExitCode);
        Assert.Equal("Error", status.LastState.Terminated.Reason);
    }

    [Fact]
    public async Task A_pod_that_cannot_start_says_why_and_starts_once_what_it_needs_exists()
    {
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("no-image", "nginx:1.27"), "default", cancellationToken: _ct);
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("no-secret", "sleep", secret: "later"), "default", cancellationToken: _ct);

        var noImage = await PodAsync("no-image", p => p.Status?.ContainerStatuses?.Single().State.Waiting?.Reason == "ErrImagePull", "ErrImagePull");
        var noSecret = await PodAsync("no-secret", p => p.Status?.ContainerStatuses?.Single().State.Waiting?.Reason == "CreateContainerConfigError", "CreateContainerConfigError");
        Assert.Equal("image \"nginx:1.27\" is not one the sandbox runs (it runs: chatty, crash, sleep, stubborn, talk, under-tmp)", noImage.Status.ContainerStatuses.Single().State.Waiting.Message);
        Assert.Equal("secret \"later\" not found", noSecret.Status.ContainerStatuses.Single().State.Waiting.Message);
        Assert.Equal("Pending", noImage.Status.Phase);

        await _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "later" }, StringData = new Dictionary<string, string> { ["k"] = "v" } }, "default", cancellationToken: _ct);
        await PodAsync("no-secret", p => p.Status?.Phase == "Running", "running once the secret exists");
    }

    [Fact]
    public async Task A_daemonset_runs_a_pod_per_node_and_with_OnDelete_replaces_one_only_when_it_is_deleted()
    {
        var ns = await TestNamespaces.CreateAsync(_client, "ds", _ct);
        var ds = new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "agent" },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "agent" } },
                UpdateStrategy = new V1DaemonSetUpdateStrategy { Type = "OnDelete" },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "agent", ["v"] = "1" } },
                    Spec = new V1PodSpec { HostNetwork = true, TerminationGracePeriodSeconds = 1, Containers = [new V1Container { Name = "main", Image = "sleep" }] },
                },
            },
        };
        await _client.AppsV1.CreateNamespacedDaemonSetAsync(ds, ns, cancellationToken: _ct);
        await Eventually.True(async () => (await _client.AppsV1.ReadNamespacedDaemonSetAsync("agent", ns, cancellationToken: _ct)).Status?.NumberReady == 2, "a ready pod on each node");
        var pods = (await _client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: _ct)).Items;
        Assert.Equal(["127.0.0.11", "127.0.0.12"], pods.OrderBy(p => p.Spec.NodeName).Select(p => p.Status.PodIP));

        await _client.AppsV1.PatchNamespacedDaemonSetAsync(new V1Patch("""{"spec":{"template":{"metadata":{"labels":{"v":"2"}}}}}""", V1Patch.PatchType.MergePatch), "agent", ns, cancellationToken: _ct);
        // The workload controller has seen the new template and decided: with OnDelete, it replaces nothing.
        await _sandbox.SettledAsync(_ct);
        Assert.All((await _client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: _ct)).Items, p => Assert.Equal("1", p.Metadata.Labels["v"]));

        var first = pods.Single(p => p.Spec.NodeName == "node-1");
        await _client.CoreV1.DeleteNamespacedPodAsync(first.Metadata.Name, ns, cancellationToken: _ct);
        var replaced = await Eventually.Get(async () => (await _client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "spec.nodeName=node-1", cancellationToken: _ct)).Items
            .SingleOrDefault(p => p.Metadata.Name != first.Metadata.Name && p.Status?.Phase == "Running"), "a new pod on node-1");
        Assert.Equal("2", replaced.Metadata.Labels["v"]);
        Assert.Equal("1", (await _client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "spec.nodeName=node-2", cancellationToken: _ct)).Items.Single().Metadata.Labels["v"]);
        await _client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: _ct);
    }

    [Fact]
    public async Task A_deleted_pod_stays_terminating_until_its_process_stopped_and_its_daemonset_replacement_waits_for_it()
    {
        var ns = await TestNamespaces.CreateAsync(_client, "graceful", _ct);
        await _client.AppsV1.CreateNamespacedDaemonSetAsync(new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "stubborn" },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "stubborn" } },
                UpdateStrategy = new V1DaemonSetUpdateStrategy { Type = "OnDelete" },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "stubborn" } },
                    Spec = new V1PodSpec { TerminationGracePeriodSeconds = 2, NodeSelector = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "node-1" }, Containers = [new V1Container { Name = "main", Image = "stubborn" }] },
                },
            },
        }, ns, cancellationToken: _ct);
        var old = await Eventually.Get(async () => (await _client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: _ct)).Items.SingleOrDefault(p => p.Status?.ContainerStatuses?.SingleOrDefault()?.Ready == true), "a ready pod on node-1");
        using var process = Process.GetProcessById(SandboxPods.Pid(old));
        // Without a probe the pod is ready at launch: the shell must have set its trap before the delete, or SIGTERM ends it.
        await Eventually.True(() => Task.FromResult(IgnoresSigterm(process.Id)), "the stubborn process to ignore SIGTERM");

        await _client.CoreV1.DeleteNamespacedPodAsync(old.Metadata.Name, ns, cancellationToken: _ct);

        var terminating = await _client.CoreV1.ReadNamespacedPodAsync(old.Metadata.Name, ns, cancellationToken: _ct);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        Assert.Equal(2, terminating.Metadata.DeletionGracePeriodSeconds);
        Assert.False(process.HasExited);
        Assert.Equal([old.Metadata.Name], (await _client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: _ct)).Items.Select(p => p.Metadata.Name));
        var replacement = await Eventually.Get(async () => (await _client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: _ct)).Items.SingleOrDefault(p => p.Metadata.Name != old.Metadata.Name), "a replacement pod");
        Assert.True(process.HasExited, "the replacement was created while the old pod's process still ran");
        Assert.Null(replacement.Metadata.DeletionTimestamp);
        await _client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: _ct);
    }

    /// <summary>Whether the process ignores SIGTERM (bit 14 of SigIgn in /proc/PID/status).</summary>
    private static bool IgnoresSigterm(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << 14)) != 0;
    }

    [Fact]
    public async Task Kubectl_scale_changes_a_deployments_replicas_through_its_scale_and_rollout_status_waits_for_them()
    {
        var ns = await TestNamespaces.CreateAsync(_client, "scale", _ct);
        var kubectl = new TestSupport.Kubectl(_sandbox.KubeconfigPath);
        (await kubectl.RunAsync($"create deployment web -n {ns} --image=sleep --replicas=1")).EnsureSuccess();

        var scaled = (await kubectl.RunAsync($"scale deployment/web -n {ns} --replicas=3")).EnsureSuccess();
        var rollout = (await kubectl.RunAsync($"rollout status deployment/web -n {ns} --timeout=60s")).EnsureSuccess();
        var scale = await _client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", ns, cancellationToken: _ct);
        var wrongPrecondition = await kubectl.RunAsync($"scale deployment/web -n {ns} --replicas=1 --current-replicas=2");
        var negative = await kubectl.RunAsync($"scale deployment/web -n {ns} --replicas=-1");

        Assert.Equal("deployment.apps/web scaled", scaled.Stdout.Trim());
        Assert.Contains("deployment \"web\" successfully rolled out", rollout.Stdout);
        Assert.Equal(3, (await _client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: _ct)).Items.Count(p => p.Metadata.DeletionTimestamp is null));
        Assert.Equal((3, 3, "app=web"), (scale.Spec.Replicas, scale.Status.Replicas, scale.Status.Selector));
        Assert.NotEqual(0, wrongPrecondition.ExitCode);
        Assert.Contains("Expected replicas to be 2, was 3", wrongPrecondition.Stderr);
        Assert.NotEqual(0, negative.ExitCode);
        Assert.Equal(3, (await _client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: _ct)).Spec.Replicas);
        await _client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: _ct);
    }

    [Fact]
    public async Task A_deployment_keeps_its_replicas_spread_over_the_nodes()
    {
        var ns = await TestNamespaces.CreateAsync(_client, "deploy", _ct);
        await _client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 4,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                    Spec = new V1PodSpec { TerminationGracePeriodSeconds = 1, Containers = [new V1Container { Name = "main", Image = "sleep" }] },
                },
            },
        }, ns, cancellationToken: _ct);

        await Eventually.True(async () => (await _client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: _ct)).Status?.ReadyReplicas == 4, "4 ready replicas");
        var pods = (await _client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: _ct)).Items;
        Assert.Equal([2, 2], pods.GroupBy(p => p.Spec.NodeName).Select(g => g.Count()));
        Assert.Equal(4, pods.Select(p => p.Status.PodIP).Distinct().Count());

        await _client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":1}}""", V1Patch.PatchType.MergePatch), "web", ns, cancellationToken: _ct);
        await Eventually.True(async () => (await _client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: _ct)).Items.Count == 1, "scaled down to 1 pod");
        await _client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: _ct);
    }
}
