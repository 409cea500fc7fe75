using k8s;
using Microsoft.Extensions.Logging;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Demo;

/// <summary>
/// The README's main command: starts the sandbox with 3 nodes (or --nodes N), the operator, an agent per node and
/// the sample workload, applies a sample DiagnosticCommand, prints it with its results, and keeps
/// running so kubectl can be pointed at it.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        string? kubeconfig = null;
        var nodes = 3;
        var containerd = false;
        var rebuild = false;
        for (var i = 0; i < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--runtime" when i + 1 < args.Length && args[i + 1] is "containerd" or "processes":
                    containerd = args[i + 1] == "containerd";
                    break;
                case "--rebuild-images":
                    rebuild = true;
                    i--;
                    break;
                case "--kubeconfig" when i + 1 < args.Length:
                    kubeconfig = Path.GetFullPath(args[i + 1]);
                    break;
                case "--nodes" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n is >= 1 and <= 250:
                    nodes = n;
                    break;
                default:
                    await Console.Error.WriteLineAsync("usage: dotnet run --project sandbox/Ops.Demo [-- [--kubeconfig PATH] [--nodes 1..250] [--runtime processes|containerd [--rebuild-images]]]");
                    return 2;
            }
        }
        var root = Ops.Sandbox.Hosting.RepositoryDirectory.Find("crds");
        if (root is null)
        {
            await Console.Error.WriteLineAsync("error: run the demo from the repository (crds/ and samples/ not found)");
            return 2;
        }
        if (containerd && DemoImages.Missing() is { } missing)
        {
            await Console.Error.WriteLineAsync($"error: the containerd runtime cannot run here: {missing}");
            return 2;
        }
        kubeconfig ??= Path.Combine(root, ".sandbox", "kubeconfig");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });

        Console.WriteLine($"starting the Ops sandbox demo ({(containerd ? "containerd runtime: pods are containers of Ops's images" : "process runtime: pods are processes of this machine")}) ...");
        await using var images = containerd ? await DemoImages.StartAsync(root, rebuild, line => Console.WriteLine($"  {line}"), stop.Token) : null;
        await using var cluster = await DemoCluster.StartAsync(new DemoOptions { CrdsDirectory = Path.Combine(root, "crds"), KubeconfigPath = kubeconfig, Nodes = nodes,
            ImageRegistry = images?.Registry,
            Logging = logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning) },
            line => Console.WriteLine($"  {line}"), stop.Token);

        var sample = Path.Combine(root, "samples", "diagnosticcommand-log-grep.yaml");
        Console.WriteLine($"applying {Path.GetRelativePath(root, sample)} in namespace {DemoCluster.ShopNamespace} ...");
        var command = KubernetesYaml.Deserialize<V1Alpha1DiagnosticCommand>(await File.ReadAllTextAsync(sample, stop.Token));
        command.Metadata.NamespaceProperty = DemoCluster.ShopNamespace;
        await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(command, ApiGroup.Name, ApiGroup.Version, DemoCluster.ShopNamespace, V1Alpha1DiagnosticCommand.Plural, cancellationToken: stop.Token);

        V1Alpha1DiagnosticCommand done;
        while (true)
        {
            done = await cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync<V1Alpha1DiagnosticCommand>(ApiGroup.Name, ApiGroup.Version, DemoCluster.ShopNamespace,
                V1Alpha1DiagnosticCommand.Plural, command.Metadata.Name, stop.Token);
            if (done.Status?.CompletionTime is not null) break;
            await Task.Delay(TimeSpan.FromMilliseconds(300), stop.Token);
        }
        done.Metadata.ManagedFields = null; // as kubectl shows it, without --show-managed-fields
        Console.WriteLine($"$ kubectl get dcmd {done.Metadata.Name} -n {DemoCluster.ShopNamespace} -o yaml");
        Console.WriteLine(KubernetesYaml.Serialize(done));
        const string podIp = "{.items[0].status.podIP}";
        const string caKey = "{.data.ca\\.crt}";
        const string artifactName = "{.status.results[0].artifacts[0].name}";
        const string requestedBy = "{.metadata.annotations.ops\\.dev/requested-by}";
        const string token = "{.users[0].user.token}";
        Console.WriteLine($"""
            The sandbox keeps running. In another terminal:
              export KUBECONFIG={kubeconfig}
              kubectl get nodes,pods -A -o wide
              kubectl get dcmd -n {DemoCluster.ShopNamespace}
              kubectl apply -n {DemoCluster.ShopNamespace} -f samples/diagnosticcommand-checkout-processes.yaml
              kubectl describe dcmd -n {DemoCluster.ShopNamespace} checkout-processes
            What each namespace may do (samples/{DemoCluster.ShopPolicySample}; a node target from the shop is refused at apply) and who asked:
              kubectl get dpol
              kubectl apply -n {DemoCluster.ShopNamespace} -f samples/diagnosticcommand-node-info.yaml
              kubectl get dcmd -n {DemoCluster.ShopNamespace} checkout-errors -o jsonpath='{requestedBy}'
            A trigger: the stacks of a checkout pod that burns CPU, taken by itself (docs/triggers.md):
              kubectl apply -n {DemoCluster.ShopNamespace} -f samples/diagnostictrigger-checkout-cpu.yaml
              curl -X POST "http://$(kubectl get pod -n {DemoCluster.ShopNamespace} -l app=checkout -o jsonpath='{podIp}'):8080/chaos/cpu?seconds=60&threads=2"
              kubectl get dtrig -n {DemoCluster.ShopNamespace} -w
            Metrics (the command above is counted and timed):
              curl -s http://$(kubectl get pod -n {DemoCluster.OpsNamespace} -l app.kubernetes.io/name=ops-operator -o jsonpath='{podIp}'):{cluster.OperatorPort}/metrics | grep ops_command
              curl -s http://$(kubectl get pod -n {DemoCluster.OpsNamespace} -l app.kubernetes.io/name=ops-agent --field-selector spec.nodeName=node-1 -o jsonpath='{podIp}'):{cluster.AgentMetricsPort}/metrics | grep ops_agent_executions
            An artifact (kubectl apply -n {DemoCluster.ShopNamespace} -f samples/diagnosticcommand-checkout-trace.yaml), over TLS with your token:
              kubectl get configmap -n {DemoCluster.OpsNamespace} ops-ca -o jsonpath='{caKey}' > ops-ca.crt
              NAME=$(kubectl get dcmd -n {DemoCluster.ShopNamespace} checkout-trace -o jsonpath='{artifactName}')
              kubectl port-forward -n {DemoCluster.OpsNamespace} svc/{DemoCluster.OperatorDeployment} {cluster.ArtifactsPort} &
              curl --cacert ops-ca.crt -H "Authorization: Bearer $(kubectl config view --raw -o jsonpath='{token}')" -o trace.nettrace \
                https://localhost:{cluster.ArtifactsPort}/artifacts/{DemoCluster.ShopNamespace}/checkout-trace/$NAME
            Press Ctrl+C to stop.
            """);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        Console.WriteLine("stopping ...");
        return 0;
    }
}
