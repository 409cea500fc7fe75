using System.Text;

namespace Ops.Sandbox.Hosting;

/// <summary>A kubeconfig for the sandbox that kubectl and KubernetesClient use unchanged.</summary>
internal static class Kubeconfig
{
    public const string ContextName = "ops-sandbox";

    public static string Render(string server, string caPem, string token) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {ContextName}
          cluster:
            server: {server}
            certificate-authority-data: {Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem))}
        users:
        - name: {ContextName}-admin
          user:
            token: {token}
        contexts:
        - name: {ContextName}
          context:
            cluster: {ContextName}
            user: {ContextName}-admin
            namespace: default
        current-context: {ContextName}
        preferences: {"{}"}

        """;
}
