using k8s;
using k8s.Models;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>Every DiagnosticCommand sample, applied with kubectl, against the real agents, processes and files of the demo cluster.</summary>
public sealed class SampleCommandTests(ClusterFixture cluster)
{
    private readonly Kubectl _kubectl = new(cluster.KubeconfigPath);
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_command_sample_reaches_its_final_phase_with_correct_per_target_results()
    {
        var samples = Directory.GetFiles(RepositoryPaths.Samples, "diagnosticcommand-*.yaml").Order(StringComparer.Ordinal).ToList();
        var applied = new Dictionary<string, string>();
        foreach (var sample in samples)
        {
            var ns = sample.EndsWith("node-info.yaml", StringComparison.Ordinal) ? DemoCluster.OpsNamespace : DemoCluster.ShopNamespace;
            var output = await _kubectl.OkAsync($"apply -n {ns} -f {sample}");
            applied[output.Split(' ')[0].Split('/')[1]] = ns;
        }
        var done = new Dictionary<string, V1Alpha1DiagnosticCommand>();
        foreach (var (name, ns) in applied) done[name] = await Commands.FinishedAsync(cluster.Client, ns, name);
        var checkout = (await cluster.Client.CoreV1.ListNamespacedPodAsync(DemoCluster.ShopNamespace, labelSelector: "app=checkout", cancellationToken: _ct)).Items;

        Assert.Equal(8, done.Count);
        var errors = done["checkout-errors"].Status!;
        Assert.Equal(CommandPhase.Succeeded, errors.Phase);
        Assert.Equal(1, errors.Targets!.Total);
        Assert.Contains("ERROR payment declined", errors.Results!.Single().Summary);
        var shard = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync(errors.Results!.Single().ResultRef, DemoCluster.ShopNamespace, cancellationToken: _ct);
        var full = Assert.Single(shard.Data).Value;
        Assert.All(full.TrimEnd('\n').Split('\n'), line => Assert.Contains("ERROR", line));

        var health = done["checkout-health"].Status!;
        Assert.Equal(CommandPhase.Succeeded, health.Phase);
        Assert.Equal(3, health.Targets!.Succeeded);

        var admin = done["checkout-admin-port"].Status!;
        Assert.Equal(CommandPhase.Failed, admin.Phase);
        Assert.Equal(3, admin.Targets!.Failed);
        Assert.All(admin.Results!, r => Assert.Matches(@"^127\.\d+\.\d+\.\d+:9090 is not open: ConnectionRefused$", r.Message));
        Assert.Contains("3 of 3 targets failed", Commands.Condition(done["checkout-admin-port"], "Failed")!.Message);

        // Each pod's result lists that pod's own process (its container id is sandbox://<pid>) and no other pod's.
        var processes = done["checkout-processes"].Status!;
        Assert.Equal(CommandPhase.Succeeded, processes.Phase);
        foreach (var pod in checkout)
        {
            var pid = SandboxPods.Pid(pod);
            var result = processes.Results!.Single(r => r.Target.Pod == pod.Metadata.Name);
            Assert.Equal(pod.Spec.NodeName, result.Target.Node);
            Assert.Equal(pid, result.Target.Pid);
            Assert.Contains($"\n{pid}\t", result.Summary);
            Assert.Contains("Ops.SampleApp.dll", result.Summary);
            foreach (var other in checkout.Where(o => o != pod))
            {
                Assert.DoesNotContain($"\n{SandboxPods.Pid(other)}\t", result.Summary);
            }
        }

        var trace = done["checkout-trace"].Status!;
        Assert.Equal(CommandPhase.Succeeded, trace.Phase);
        var traced = Assert.Single(trace.Results!);
        var artifact = Assert.Single(traced.Artifacts!);
        Assert.Equal(traced.Target.Node, artifact.Node);
        Assert.True(artifact.SizeBytes > 0);
        Assert.Matches("^[0-9a-f]{64}$", artifact.Sha256);
        Assert.EndsWith("-trace.nettrace", artifact.Name);

        var heap = done["checkout-heap"].Status!;
        Assert.Equal(CommandPhase.Succeeded, heap.Phase);
        var heapShard = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync(heap.Results![0].ResultRef, DemoCluster.ShopNamespace, cancellationToken: _ct);
        Assert.Contains("\tOps.SampleApp.Order\n", Assert.Single(heapShard.Data).Value);
        Assert.EndsWith("-heap.nettrace", Assert.Single(heap.Results![0].Artifacts!).Name);

        var nodes = done["node-info"].Status!;
        Assert.Equal(CommandPhase.Succeeded, nodes.Phase);
        Assert.Equal(["node-1", "node-2", "node-3"], nodes.Results!.Select(r => r.Target.Node).Order());
        Assert.All(nodes.Results!, r => Assert.Contains($"\"node\": \"{r.Target.Node}\"", r.Summary));

        // Managed stacks of every checkout pod's .NET process, read by the agent of its node through /proc, no sidecar.
        var stacks = done["checkout-stacks"].Status!;
        Assert.Equal(CommandPhase.Succeeded, stacks.Phase);
        Assert.Equal(3, stacks.Targets!.Succeeded);
        var stackShard = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync(stacks.Results![0].ResultRef, DemoCluster.ShopNamespace, cancellationToken: _ct);
        Assert.All(stackShard.Data.Values, output => Assert.Contains("Ops.SampleApp.OrderWorker.ProcessOrdersForever", output));
    }

    [Fact]
    public async Task Start_and_finish_are_recorded_as_events_and_kubectl_wait_sees_Complete()
    {
        await _kubectl.OkAsync($"apply -n {DemoCluster.ShopNamespace} -f -", """
            apiVersion: ops.dev/v1alpha1
            kind: DiagnosticCommand
            metadata:
              name: events-probe
            spec:
              action: check.http
              parameters: {port: "8080", path: /healthz, timeoutMs: "20000"}
              target:
                pods:
                  selector: {matchLabels: {app: checkout}}
            """);

        await _kubectl.OkAsync($"wait dcmd/events-probe -n {DemoCluster.ShopNamespace} --for=condition=Complete --timeout=60s");

        var events = await Eventually.Get(async () =>
        {
            var list = await cluster.Client.CoreV1.ListNamespacedEventAsync(DemoCluster.ShopNamespace, fieldSelector: "involvedObject.name=events-probe", cancellationToken: _ct);
            return list.Items.Any(e => e.Reason == "Succeeded") ? list.Items : null;
        }, "the Succeeded event");
        Assert.Contains(events, e => e.Reason == "Succeeded" && e.Type == "Normal" && e.Message == "all 3 targets succeeded");
        // A command done within the first progress pass writes no Started Event (SimulatedFleetTests counts its writes), one that outlasts it
        // writes one (LifecycleTests); which of the two this one is depends on the machine's load, but never more than one.
        Assert.True(events.Count(e => e.Reason == "Started") <= 1, string.Join("; ", events.Select(e => $"{e.Reason}: {e.Message}")));
        var command = (await Commands.GetAsync(cluster.Client, DemoCluster.ShopNamespace, "events-probe"))!;
        Assert.Null(command.Metadata.Finalizers);
    }
}
