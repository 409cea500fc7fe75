using System.Net.Http.Headers;
using System.Security.Cryptography;
using k8s;
using k8s.Models;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.Images.Tests.RealNode;

/// <summary>
/// Ops from its images on nodes that run real containers: the agent, in a container of its own with hostPID and only
/// SYS_PTRACE and DAC_OVERRIDE, reaches .NET processes in other containers' pid and mount namespaces, with no sidecar.
/// </summary>
public sealed class RealNodeTests(ImagesFixture images, RealNodeCluster real) : IClassFixture<RealNodeCluster>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_action_reaches_the_sample_app_in_its_own_container_found_through_its_containerd_cgroup()
    {
        var cluster = await real.StartAsync(images);
        var ns = DemoCluster.ShopNamespace;
        var actions = new (string Name, string Action, Dictionary<string, string>? Parameters, string Expected)[]
        {
            ("rn-processes", "processes", null, "Ops.SampleApp"),
            ("rn-stacks", "dotnet.stacks", null, "Thread"),
            ("rn-counters", "dotnet.counters", new() { ["duration"] = "2s" }, ""),
            ("rn-trace", "dotnet.trace", new() { ["duration"] = "1s" }, "trace of process"),
            ("rn-gcdump", "dotnet.gcdump", null, "heap of process"),
            ("rn-dump", "dotnet.dump", new() { ["type"] = "mini" }, "mini dump of process"),
            ("rn-log-grep", "log.grep", new() { ["path"] = "/var/log/app/app.log", ["pattern"] = "ERROR" }, "ERROR"),
            ("rn-os-release", "file.tail", new() { ["path"] = "/etc/os-release", ["lines"] = "20" }, "Debian"),
            ("rn-check-process", "check.process", null, ""),
            ("rn-check-http", "check.http", new() { ["path"] = "/healthz", ["port"] = $"{DemoCluster.AppPort}" }, ""),
            ("rn-check-tcp", "check.tcp", new() { ["port"] = $"{DemoCluster.AppPort}" }, ""),
            ("rn-script", "script.run", new() { ["script"] = RealNodeCluster.Script }, "GLIBC"),
        };
        var pod = (await cluster.Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=checkout", cancellationToken: _ct)).Items.First();
        // One pod, so every action meets the same process: it alone carries this label.
        await cluster.Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"real-node-target":"yes"}}}""", V1Patch.PatchType.MergePatch), pod.Metadata.Name, ns, cancellationToken: _ct);
        foreach (var (name, action, parameters, _) in actions)
        {
            var spec = Commands.OnPods(action, parameters, "checkout", "api");
            spec.Target.Pods!.Selector.MatchLabels["real-node-target"] = "yes";
            await Commands.CreateAsync(cluster.Client, ns, name, spec);
        }

        var containerId = pod.Status.ContainerStatuses.Single().ContainerID;
        var appPid = HostProcesses.OfContainer(containerId);
        var agentPod = (await cluster.Client.CoreV1.ListNamespacedPodAsync(DemoCluster.OpsNamespace, labelSelector: "app.kubernetes.io/name=ops-agent", fieldSelector: $"spec.nodeName={pod.Spec.NodeName}", cancellationToken: _ct)).Items.Single();
        var agentPid = HostProcesses.OfContainer(agentPod.Status.ContainerStatuses.Single().ContainerID);
        foreach (var (name, action, _, expected) in actions)
        {
            var done = await Commands.FinishedAsync(cluster.Client, ns, name);
            Assert.True(done.Status?.Results is { Count: 1 }, $"{action}: {string.Join("; ", done.Status?.Conditions?.Select(c => $"{c.Type} {c.Reason}: {c.Message}") ?? [])}");
            var result = done.Status!.Results![0];
            Assert.True(result.Phase == "Succeeded", $"{action}: {result.Phase} {result.Message} {result.Summary}");
            Assert.Contains(expected, result.Summary ?? "");
            if (action.StartsWith("dotnet.", StringComparison.Ordinal) || action is "log.grep" or "file.tail") Assert.Equal(appPid, result.Target.Pid);
        }
        // The dump was analysed in the agent's container, with the debugging library of the app's own runtime read through its root.
        var dumped = Assert.Single((await Commands.FinishedAsync(cluster.Client, ns, "rn-dump")).Status!.Results!);
        Assert.True(dumped.Artifacts!.Any(a => a.Name.EndsWith("-mini.analysis.json", StringComparison.Ordinal)), dumped.Summary);
        Assert.StartsWith("containerd://", containerId);
        Assert.NotEqual(HostProcesses.Namespace(agentPid, "pid"), HostProcesses.Namespace(appPid, "pid"));
        Assert.NotEqual(HostProcesses.Namespace(agentPid, "mnt"), HostProcesses.Namespace(appPid, "mnt"));

        var trace = await Commands.FinishedAsync(cluster.Client, ns, "rn-trace");
        var artifact = Assert.Single(Assert.Single(trace.Status!.Results!).Artifacts!);
        var operatorPod = await SandboxPods.OperatorAsync(cluster.Client, _ct);
        using var http = await OperatorHttps.CreateAsync(cluster, operatorPod.Status.PodIP, _ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"artifacts/{ns}/rn-trace/{artifact.Name}") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", cluster.Server.Token) } };
        using var download = await http.SendAsync(request, _ct);
        var bytes = await download.EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync(_ct);
        Assert.Equal(artifact.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [Fact]
    public async Task The_agent_reaches_apps_running_as_root_as_uid_1654_and_as_another_uid()
    {
        var cluster = await real.StartAsync(images);
        var ns = await TestNamespaces.CreateAsync(cluster.Client, "uids", _ct);
        var image = $"{images.Registry}/ops-sample-app:{ImagesFixture.Tag}";
        foreach (var (name, user) in new (string, long?)[] { ("as-root", 0), ("as-app", null), ("as-2000", 2000) })
        {
            await cluster.Client.CoreV1.CreateNamespacedPodAsync(SampleAppPod(name, image, user), ns, cancellationToken: _ct);
        }
        await Eventually.True(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: _ct)).Items.Count(p => p.Status?.ContainerStatuses?.SingleOrDefault()?.Ready == true) == 3, "the three apps ready", Timeouts.ClusterStart);

        var spec = Commands.OnPods("dotnet.stacks", null, "uid-test", "api");
        await Commands.CreateAsync(cluster.Client, ns, "stacks-by-uid", spec);
        var done = await Commands.FinishedAsync(cluster.Client, ns, "stacks-by-uid");

        Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
        var users = done.Status.Results!.ToDictionary(r => r.Target.Pod!, r => HostProcesses.Uid(r.Target.Pid!.Value));
        Assert.Equal(new Dictionary<string, int> { ["as-root"] = 0, ["as-app"] = 1654, ["as-2000"] = 2000 }, users);
    }

    [Fact]
    public async Task The_operator_container_killed_mid_fan_out_the_command_completes_and_each_target_ran_once()
    {
        var cluster = await real.StartAsync(images);
        var ns = DemoCluster.ShopNamespace;
        var created = await Commands.CreateAsync(cluster.Client, ns, "rn-operator-killed", Commands.OnPods("dotnet.counters", new() { ["duration"] = "6s" }, "checkout", "api"));
        await Commands.StatusAsync(cluster.Client, ns, "rn-operator-killed", s => s.Targets?.Running == 3, "its three targets running");
        var operatorPod = await SandboxPods.OperatorAsync(cluster.Client, _ct);
        using (var operatorProcess = System.Diagnostics.Process.GetProcessById(HostProcesses.OfContainer(operatorPod.Status.ContainerStatuses.Single().ContainerID)))
        {
            operatorProcess.Kill();
        }

        var done = await Commands.FinishedAsync(cluster.Client, ns, "rn-operator-killed", Timeouts.CommandThroughFault);

        Assert.Equal(CommandPhase.Succeeded, done.Status!.Phase);
        Assert.Equal(3, done.Status.Results!.Count);
        var restarted = (await cluster.Client.CoreV1.ReadNamespacedPodAsync(operatorPod.Metadata.Name, DemoCluster.OpsNamespace, cancellationToken: _ct)).Status.ContainerStatuses.Single();
        Assert.True(restarted.RestartCount >= 1, "the operator's container was restarted");
        Assert.Equal(137, restarted.LastState.Terminated.ExitCode);
        // Each agent logs every execution's end once: a target run twice would show twice.
        var ends = new List<string>();
        foreach (var agent in (await cluster.Client.CoreV1.ListNamespacedPodAsync(DemoCluster.OpsNamespace, labelSelector: "app.kubernetes.io/name=ops-agent", cancellationToken: _ct)).Items)
        {
            await using var log = await cluster.Client.CoreV1.ReadNamespacedPodLogAsync(agent.Metadata.Name, DemoCluster.OpsNamespace, cancellationToken: _ct);
            ends.AddRange((await new StreamReader(log).ReadToEndAsync(_ct)).Split('\n').Where(l => l.Contains($"Execution dotnet.counters for {created.Metadata.Uid}/", StringComparison.Ordinal)));
        }
        Assert.Equal(3, ends.Count);
    }

    [Fact]
    public async Task A_crash_dump_written_by_the_apps_own_runtime_as_uid_1654_is_kept_and_analysed_through_the_restarted_container()
    {
        var cluster = await real.StartAsync(images);
        var ns = DemoCluster.ShopNamespace;
        // The last pod: the first is the one the every-action test labels.
        var pod = (await cluster.Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=checkout", cancellationToken: _ct)).Items.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).Last();
        var restarts = pod.Status.ContainerStatuses.Single().RestartCount;
        using (var http = new HttpClient())
        {
            using var response = await http.PostAsync($"http://{pod.Status.PodIP}:{DemoCluster.AppPort}/chaos/crash", null, _ct);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        }
        await Eventually.True(async () => (await cluster.Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, ns, cancellationToken: _ct)).Status.ContainerStatuses.Single() is { Ready: true } status
            && status.RestartCount > restarts, "the crashed container to run again", Timeouts.SlowCommand);

        var spec = Commands.OnPods("dotnet.crashdumps", null, "checkout", "api");
        spec.Target.Pods!.Names = [pod.Metadata.Name];
        await Commands.CreateAsync(cluster.Client, ns, "rn-crashdumps", spec);
        var done = await Commands.FinishedAsync(cluster.Client, ns, "rn-crashdumps", Timeouts.SlowCommand);

        var result = Assert.Single(done.Status!.Results!);
        Assert.True(result.Phase == "Succeeded", $"{result.Phase} {result.Message} {result.Summary}");
        Assert.StartsWith("CRASH: thread ", result.Summary);
        Assert.Contains("Ops.SampleApp.Chaos.Crash.Soon()", result.Summary);
        Assert.Contains("crash dumps in /crashdumps (DOTNET_DbgMiniDumpName=/crashdumps/%e.%p.%t.dmp, heap dumps): 1", result.Summary);
        Assert.Single(result.Artifacts!, a => a.Name.StartsWith("crash-", StringComparison.Ordinal) && a.Name.EndsWith(".dmp", StringComparison.Ordinal));
        Assert.Single(result.Artifacts!, a => a.Name.EndsWith(".analysis.json", StringComparison.Ordinal));
    }

    private static V1Pod SampleAppPod(string name, string image, long? user) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "uid-test" } },
        Spec = new V1PodSpec
        {
            SecurityContext = user is { } uid ? new V1PodSecurityContext { RunAsUser = uid, RunAsNonRoot = uid != 0 } : null,
            Containers = [new V1Container
            {
                Name = "api", Image = image,
                Env = [new V1EnvVar { Name = "LISTEN", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } }, new V1EnvVar { Name = "PORT", Value = "8080" }, new V1EnvVar { Name = "LOG_PATH", Value = "/var/log/app/app.log" }],
                ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = 8080 } },
                VolumeMounts = [new V1VolumeMount { Name = "logs", MountPath = "/var/log/app" }],
            }],
            Volumes = [new V1Volume { Name = "logs", EmptyDir = new V1EmptyDirVolumeSource() }],
        },
    };
}
