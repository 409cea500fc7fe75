using k8s;
using k8s.Models;
using Ops.Demo;

namespace Ops.TestSupport;

/// <summary>Pods as the sandbox runs them: the process behind a container, and the demo cluster's operator.</summary>
public static class SandboxPods
{
    /// <summary>The pid of the pod's single container (its container id is sandbox://PID).</summary>
    public static int Pid(V1Pod pod) => int.Parse(pod.Status.ContainerStatuses.Single().ContainerID["sandbox://".Length..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The label selector of the operator's pods (all replicas).</summary>
    public const string OperatorSelector = "app.kubernetes.io/name=ops-operator";

    public static async Task<V1Pod> OperatorAsync(IKubernetes client, CancellationToken cancellationToken) =>
        (await client.CoreV1.ListNamespacedPodAsync(DemoCluster.OpsNamespace, labelSelector: OperatorSelector, cancellationToken: cancellationToken)).Items.Single();

    /// <summary>The operator's /metrics, from its pod's address.</summary>
    public static async Task<string> OperatorMetricsAsync(DemoCluster cluster, CancellationToken cancellationToken)
    {
        var pod = await OperatorAsync(cluster.Client, cancellationToken);
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://{pod.Status.PodIP}:{cluster.OperatorPort}/metrics", cancellationToken);
    }
}
