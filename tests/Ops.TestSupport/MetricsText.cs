using System.Globalization;
using k8s;

namespace Ops.TestSupport;

/// <summary>Reads a Prometheus text exposition, and the metrics of the demo cluster's agents.</summary>
public static class MetricsText
{
    /// <summary>The value of one series, written as it appears (name and labels); 0 when absent.</summary>
    public static double Value(string exposition, string series) =>
        exposition.Split('\n').Where(l => l.StartsWith(series + " ", StringComparison.Ordinal)).Select(l => double.Parse(l[(series.Length + 1)..], CultureInfo.InvariantCulture)).SingleOrDefault();

    /// <summary>The /metrics of the agent on this node (its agent serves them on its pod's address).</summary>
    public static async Task<string> AgentAsync(Ops.Demo.DemoCluster cluster, string nodeName, CancellationToken cancellationToken)
    {
        var pods = await cluster.Client.CoreV1.ListNamespacedPodAsync(Ops.Demo.DemoCluster.OpsNamespace, fieldSelector: $"spec.nodeName={nodeName}",
            labelSelector: "app.kubernetes.io/name=ops-agent", cancellationToken: cancellationToken);
        var address = pods.Items.Single(p => p.Metadata.DeletionTimestamp is null).Status.PodIP;
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://{address}:{cluster.AgentMetricsPort}/metrics", cancellationToken);
    }
}
