using System.Diagnostics;
using k8s;
using k8s.Models;
using Ops.Sandbox.Processes;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Hosting;

/// <summary>Nothing a sandbox started outlives it: killed, its pods' processes die with it; the next sandbox removes the rest.</summary>
public sealed class LeftoverTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private static bool Alive(int pid) => SandboxWorkspace.IsAlive(pid);

    [Fact]
    public async Task A_sandbox_killed_with_SIGKILL_takes_its_pods_processes_with_it_and_the_next_one_removes_its_directory()
    {
        Assert.True(SandboxWorkspace.DiesWithHost, "setpriv (util-linux) is needed for processes to die with their host");
        var directory = TestWorkspace.CreateDirectory("leftover-");
        var kubeconfig = Path.Combine(directory, "kubeconfig");
        await File.WriteAllTextAsync(Path.Combine(directory, "pod.yaml"), """
            apiVersion: v1
            kind: Pod
            metadata: {name: sleeper, namespace: default}
            spec:
              nodeName: node-1
              containers: [{name: main, image: sleep}]
            """, _ct);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "Ops.Sandbox.dll"), "up", "--nodes", "1", "--kubeconfig", kubeconfig, "--manifests", directory]) start.ArgumentList.Add(arg);
        using var sandbox = Process.Start(start)!;
        try
        {
            using (var ready = new CancellationTokenSource(Timeouts.Eventually))
            {
                while (await sandbox.StandardOutput.ReadLineAsync(ready.Token) is { } line && !line.StartsWith("press Ctrl+C", StringComparison.Ordinal)) { }
            }
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            var pod = await Eventually.Get(async () => await client.CoreV1.ReadNamespacedPodAsync("sleeper", "default", cancellationToken: _ct) is { Status.Phase: "Running" } p ? p : null, "the pod to run");
            var sleeper = int.Parse(pod.Status.ContainerStatuses.Single().ContainerID["sandbox://".Length..], System.Globalization.CultureInfo.InvariantCulture);
            var workspace = Directory.GetDirectories(SandboxWorkspace.Root, $"{sandbox.Id}-*").Single();
            Assert.Contains(sleeper, SandboxWorkspace.MarkedProcesses(Path.GetFileName(workspace)));

            sandbox.Kill(); // SIGKILL to the sandbox alone: no shutdown, nothing disposed.
            await sandbox.WaitForExitAsync(_ct);

            await Eventually.True(() => Task.FromResult(!Alive(sleeper)), "the pod's process to die with the sandbox", TimeSpan.FromSeconds(5));
            Assert.True(Directory.Exists(workspace), "the killed sandbox could not have removed its directory");
            SandboxWorkspace.RemoveLeftovers();
            Assert.False(Directory.Exists(workspace), "the next sandbox left the dead one's directory");
        }
        finally
        {
            if (!sandbox.HasExited) sandbox.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task What_a_dead_owner_left_running_is_killed_and_a_live_owners_workspace_is_kept()
    {
        // A process that outlived its container (a script's child, reparented when its parent died): only its marker ties it to its sandbox.
        using var owner = Process.Start("sleep", "30")!;
        var ownerStart = ProcFs.StartTime(owner.Id);
        var dead = Path.Combine(SandboxWorkspace.Root, $"test-dead-{Guid.NewGuid():n}");
        Directory.CreateDirectory(dead);
        await File.WriteAllTextAsync(Path.Combine(dead, "owner"), $"{owner.Id} {ownerStart}", _ct);
        var orphan = new ProcessStartInfo("sleep", "300") { UseShellExecute = false };
        orphan.Environment[SandboxWorkspace.MarkerVariable] = Path.GetFileName(dead);
        using var left = Process.Start(orphan)!;
        using var live = SandboxWorkspace.Create();

        SandboxWorkspace.RemoveLeftovers();
        Assert.True(Directory.Exists(dead), "a workspace whose owner lives was removed");
        Assert.True(Alive(left.Id));

        owner.Kill();
        await owner.WaitForExitAsync(_ct);
        Assert.True(SandboxWorkspace.RemoveLeftovers() >= 1);
        await left.WaitForExitAsync(_ct).WaitAsync(TimeSpan.FromSeconds(5), _ct);
        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(live.Directory), "a live workspace was removed");
    }
}
