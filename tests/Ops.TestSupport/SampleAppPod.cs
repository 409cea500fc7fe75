using k8s;
using k8s.Models;

namespace Ops.TestSupport;

/// <summary>
/// A pod of the sample .NET app in a test's namespace, serving on its pod IP with a readiness probe every second (so a
/// /chaos/unready fault shows within a second) and the runtime's crash dumps (mini, for speed) written to an emptyDir at
/// /crashdumps, which outlives a crash; returned once Ready: its runtime and diagnostics port are up, not only its process.
/// </summary>
public static class SampleAppPod
{
    public static async Task<V1Pod> CreateAsync(ClusterFixture cluster, string ns, string app, CancellationToken cancellationToken, string name = "app")
    {
        cluster.Cluster.Server.ApplyYaml(cluster.Cluster.Fill($$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: {{name}}
              namespace: {{ns}}
              labels: {app: {{app}}}
            spec:
              securityContext: {runAsNonRoot: true}
              containers:
                - name: api
                  image: ghcr.io/example/ops-sample-app:1.0.0
                  env:
                    - name: LISTEN
                      valueFrom:
                        fieldRef: {fieldPath: status.podIP}
                    - {name: PORT, value: "8080"}
                    - {name: DOTNET_DbgEnableMiniDump, value: "1"}
                    - {name: DOTNET_DbgMiniDumpType, value: "1"}
                    - {name: DOTNET_DbgMiniDumpName, value: /crashdumps/%e.%p.%t.dmp}
                  readinessProbe:
                    httpGet: {path: /healthz, port: 8080}
                    periodSeconds: 1
                    failureThreshold: 1
                  volumeMounts:
                    - {name: crashdumps, mountPath: /crashdumps}
              volumes:
                - name: crashdumps
                  emptyDir: {}
            """));
        return await ReadyAsync(cluster.Client, ns, name, cancellationToken);
    }

    /// <summary>The pod as the API shows it once it is Ready.</summary>
    public static Task<V1Pod> ReadyAsync(IKubernetes client, string ns, string name, CancellationToken cancellationToken) => Eventually.Get(async () =>
    {
        var pod = await client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: cancellationToken);
        return pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true ? pod : null;
    }, $"the .NET pod {ns}/{name} to be ready", Timeouts.SlowCommand);
}
