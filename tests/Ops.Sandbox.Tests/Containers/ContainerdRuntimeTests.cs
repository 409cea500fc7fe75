using k8s;
using k8s.Models;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Containers;

/// <summary>The sandbox's kubelet on containerd: pods are real containers, reported as a kubelet reports them.</summary>
public sealed class ContainerdRuntimeTests(ContainerdFixture fixture) : IClassFixture<ContainerdFixture>, IDisposable
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly Kubernetes _client = fixture.Missing is null ? SandboxFixture.CreateClient(fixture.Sandbox) : null!;

    public void Dispose() => _client?.Dispose();

    private static V1Pod Pod(string name, string image, string script, Action<V1Container>? container = null, Action<V1PodSpec>? spec = null)
    {
        var main = new V1Container { Name = "main", Image = image, Command = ["/bin/busybox", "sh", "-c", script] };
        container?.Invoke(main);
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = name }, Spec = new V1PodSpec { TerminationGracePeriodSeconds = 1, Containers = [main] } };
        spec?.Invoke(pod.Spec);
        return pod;
    }

    private async Task<V1Pod> RunAsync(V1Pod pod, Func<V1ContainerStatus, bool> condition, string what)
    {
        ContainerdTools.Require(fixture.Missing);
        var ns = await TestNamespaces.CreateAsync(_client, "cri", _ct);
        await _client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: _ct);
        return await Eventually.Get(async () => await _client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, ns, cancellationToken: _ct) is { Status.ContainerStatuses: [var s] } p && condition(s) ? p : null,
            $"pod {pod.Metadata.Name}: {what}", Timeouts.ClusterStart);
    }

    private Task<string> LogAsync(V1Pod pod, bool previous = false) =>
        Eventually.Get(async () =>
        {
            using var stream = await _client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, previous: previous, cancellationToken: _ct);
            var text = await new StreamReader(stream).ReadToEndAsync(_ct);
            return text.Contains("done", StringComparison.Ordinal) ? text : null;
        }, $"the log of {pod.Metadata.Name} up to its last line");

    [Fact]
    public async Task A_pod_is_a_container_with_the_images_root_its_own_pid_and_mount_namespaces_and_a_containerd_id()
    {
        var pod = await RunAsync(Pod("own-root", fixture.AppImage, "cat /etc/ops-image; echo pid=$$ uid=$(/bin/busybox id -u); echo done; exec /bin/busybox sleep 3600"), s => s.State.Running is not null, "running");

        var status = pod.Status.ContainerStatuses.Single();
        var log = await LogAsync(pod);
        var pid = HostProcesses.OfContainer(status.ContainerID);

        Assert.Matches("^containerd://[0-9a-f]{64}$", status.ContainerID);
        Assert.Contains(ContainerdFixture.ImageMarker, log);
        Assert.Contains("pid=1 uid=1654", log);
        Assert.NotEqual(HostProcesses.Namespace(Environment.ProcessId, "pid"), HostProcesses.Namespace(pid, "pid"));
        Assert.NotEqual(HostProcesses.Namespace(Environment.ProcessId, "mnt"), HostProcesses.Namespace(pid, "mnt"));
        // No pod networks here: the pod shares the host's network namespace and binds its loopback pod IP.
        Assert.Equal(HostProcesses.Namespace(Environment.ProcessId, "net"), HostProcesses.Namespace(pid, "net"));
        Assert.StartsWith("127.", pod.Status.PodIP);
    }

    [Fact]
    public async Task A_tag_the_registry_lacks_shows_ErrImagePull_then_ImagePullBackOff_with_the_registrys_answer()
    {
        var missing = fixture.RootImage.Replace(":root", ":no-such-tag", StringComparison.Ordinal);
        var pulling = await RunAsync(Pod("no-tag", missing, "true"), s => s.State.Waiting?.Reason == "ErrImagePull", "ErrImagePull");
        var backingOff = await Eventually.Get(async () => await _client.CoreV1.ReadNamespacedPodAsync("no-tag", pulling.Metadata.NamespaceProperty, cancellationToken: _ct) is { Status.ContainerStatuses: [{ State.Waiting.Reason: "ImagePullBackOff" } s] } ? s : null, "ImagePullBackOff");

        Assert.Contains("not found", pulling.Status.ContainerStatuses.Single().State.Waiting.Message, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith($"Back-off pulling image \"{missing}\"", backingOff.State.Waiting.Message);
        Assert.Equal("Pending", pulling.Status.Phase);
    }

    [Fact]
    public async Task A_container_over_its_memory_limit_is_OOMKilled_and_restarted()
    {
        // The shell keeps 64 MB of output in a variable: far over a 16 MiB limit.
        var pod = Pod("hungry", fixture.RootImage, "echo start; x=$(/bin/busybox yes | /bin/busybox head -c 64000000); echo done",
            c => c.Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("16Mi") } });
        var killed = await RunAsync(pod, s => s.RestartCount >= 1 && s.LastState?.Terminated is not null, "restarted after its end");

        var last = killed.Status.ContainerStatuses.Single().LastState.Terminated;
        Assert.Equal("OOMKilled", last.Reason);
        Assert.Equal(137, last.ExitCode);
    }

    [Fact]
    public async Task The_security_context_sets_capabilities_and_a_read_only_root()
    {
        var pod = await RunAsync(Pod("confined", fixture.RootImage,
            "/bin/busybox touch /x 2>/dev/null && echo root-writable || echo root-read-only; /bin/busybox grep CapEff /proc/self/status; echo done; exec /bin/busybox sleep 3600",
            c => c.SecurityContext = new V1SecurityContext
            {
                ReadOnlyRootFilesystem = true, AllowPrivilegeEscalation = false,
                Capabilities = new V1Capabilities { Drop = ["ALL"], Add = ["NET_BIND_SERVICE"] },
            }), s => s.State.Running is not null, "running");

        var log = await LogAsync(pod);

        Assert.Contains("root-read-only", log);
        // Root, yet only CAP_NET_BIND_SERVICE (bit 10) is effective.
        Assert.Matches(@"CapEff:\s+0000000000000400", log);
    }

    [Fact]
    public async Task RunAsNonRoot_refuses_an_image_that_runs_as_root_and_runAsUser_overrides_the_images_user()
    {
        var refused = await RunAsync(Pod("root-refused", fixture.RootImage, "sleep 3600", spec: s => s.SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true }),
            s => s.State.Waiting?.Reason == "CreateContainerConfigError", "CreateContainerConfigError");
        var accepted = await RunAsync(Pod("user-2000", fixture.AppImage, "echo uid=$(/bin/busybox id -u); echo done; exec /bin/busybox sleep 3600",
            spec: s => s.SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true, RunAsUser = 2000 }), s => s.State.Running is not null, "running");

        Assert.StartsWith("container has runAsNonRoot and image will run as root", refused.Status.ContainerStatuses.Single().State.Waiting.Message);
        Assert.Contains("uid=2000", await LogAsync(accepted));
    }

    [Fact]
    public async Task An_exec_probe_runs_in_the_container_and_the_previous_runs_log_stays_readable()
    {
        // The count lives in an emptyDir, which outlives the container's restart (its root does not).
        var pod = await RunAsync(Pod("probed", fixture.RootImage,
            "n=$(/bin/busybox cat /state/runs 2>/dev/null || echo 0); echo $((n+1)) > /state/runs; echo run-$n; echo done; if [ $n = 0 ]; then exit 3; fi; /bin/busybox touch /tmp/ready; exec /bin/busybox sleep 3600",
            c =>
            {
                c.ReadinessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["/bin/busybox", "test", "-e", "/tmp/ready"] }, PeriodSeconds = 1 };
                c.VolumeMounts = [new V1VolumeMount { Name = "state", MountPath = "/state" }];
            },
            s => s.Volumes = [new V1Volume { Name = "state", EmptyDir = new V1EmptyDirVolumeSource() }]),
            s => s.Ready == true, "ready after its restart");

        var status = pod.Status.ContainerStatuses.Single();
        var previous = await LogAsync(pod, previous: true);
        var current = await LogAsync(pod);

        Assert.Equal(1, status.RestartCount);
        Assert.Equal(3, status.LastState.Terminated.ExitCode);
        Assert.Contains("run-0", previous);
        Assert.DoesNotContain("run-1", previous);
        Assert.Contains("run-1", current);
    }
}
