using k8s;
using k8s.Models;
using Ops.Sandbox.Containers;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Containers;

/// <summary>
/// The sandbox's containerd leaves nothing behind: not when the sandbox stops, and not when it is killed (the
/// next start removes what the killed one left). The pods run the pause image, which every such containerd has.
/// </summary>
public sealed class ContainerdCleanupTests
{
    private const string PauseImage = "sandbox.local/ops-pause:catatonit";
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private static async Task<(SandboxServer Sandbox, string Directory, int ContainerPid)> StartWithPodAsync(CancellationToken cancellationToken)
    {
        ContainerdTools.Require(ContainerdTools.Missing());
        var sandbox = await SandboxFixture.StartAsync(new SandboxOptions { Nodes = 1, Containerd = new ContainerdOptions() }, applyCrds: false);
        var directory = sandbox.Containerd!.Directory;
        using var client = SandboxFixture.CreateClient(sandbox);
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "paused" },
            Spec = new V1PodSpec { TerminationGracePeriodSeconds = 1, Containers = [new V1Container { Name = "main", Image = PauseImage }] },
        }, "default", cancellationToken: cancellationToken);
        var id = await Eventually.Get(async () => await client.CoreV1.ReadNamespacedPodAsync("paused", "default", cancellationToken: cancellationToken) is { Status.ContainerStatuses: [{ State.Running: not null } s] } ? s.ContainerID : null, "the pod running");
        return (sandbox, directory, HostProcesses.OfContainer(id));
    }

    private static void AssertNothingLeftOf(string directory, int containerPid)
    {
        Assert.False(Directory.Exists(directory), $"{directory} is still there");
        Assert.Empty(HostProcesses.WithCommandLine(directory));
        Assert.False(HostProcesses.IsAlive(containerPid), $"the container's process {containerPid} is still alive");
        Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), line => line.Contains(directory, StringComparison.Ordinal));
        Assert.False(Directory.Exists($"/sys/fs/cgroup/memory/ops-sandbox/{Path.GetFileName(directory)}"), "the sandbox's memory cgroup is still there");
    }

    [Fact]
    public async Task Stopping_the_sandbox_leaves_no_container_shim_mount_cgroup_or_containerd()
    {
        var (sandbox, directory, pid) = await StartWithPodAsync(_ct);
        Assert.NotEmpty(HostProcesses.WithCommandLine(directory));
        Assert.Contains(File.ReadLines("/proc/self/mountinfo"), line => line.Contains(directory, StringComparison.Ordinal));

        await sandbox.DisposeAsync();

        AssertNothingLeftOf(directory, pid);
    }

    [Fact]
    public async Task The_containers_go_even_when_containerd_died_before_the_sandbox_stopped()
    {
        var (sandbox, directory, pid) = await StartWithPodAsync(_ct);
        // A terminal's Ctrl+C would reach a containerd in the sandbox's process group; SIGKILL stands for any early death.
        foreach (var process in HostProcesses.WithCommandLine($"containerd --config {directory}")) Processes.Signals.Send(process, Processes.Signals.Kill);
        await Eventually.True(() => Task.FromResult(HostProcesses.WithCommandLine($"containerd --config {directory}").Count == 0), "containerd dead");

        await sandbox.DisposeAsync();

        AssertNothingLeftOf(directory, pid);
    }

    [Fact]
    public async Task What_a_killed_sandbox_left_is_removed_by_the_next_start()
    {
        var (killed, directory, pid) = await StartWithPodAsync(_ct);
        // As a SIGKILL of the sandbox's host leaves it: containerd and the shims dead (the workspace kills them),
        // the containers running on, their root file systems mounted, the owner gone.
        foreach (var process in HostProcesses.WithCommandLine(directory)) Processes.Signals.Send(process, Processes.Signals.Kill);
        await File.WriteAllTextAsync(Path.Combine(directory, "owner"), "2147483647 1", _ct);
        await Eventually.True(() => Task.FromResult(HostProcesses.WithCommandLine(directory).Count == 0), "containerd and its shims dead");
        Assert.True(HostProcesses.IsAlive(pid), "the container outlived its shim");

        await using (var next = await SandboxFixture.StartAsync(new SandboxOptions { Nodes = 1, Containerd = new ContainerdOptions() }, applyCrds: false))
        {
            AssertNothingLeftOf(directory, pid);
        }
        await killed.DisposeAsync();
    }
}
