using System.Text;

namespace Ops.Sandbox.Hosting;

/// <summary>A kubeconfig for the sandbox that kubectl and KubernetesClient use unchanged.</summary>
internal static class Kubeconfig
{
    public const string ContextName = "ops-sandbox";

    /// <summary>A pod's kubeconfig under the process runtime: its service account's token, and the projected CA file.</summary>
    public static string RenderForServiceAccount(string server, string caPath, string token) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {ContextName}
          cluster:
            server: {server}
            certificate-authority: {caPath}
        users:
        - name: service-account
          user:
            token: {token}
        contexts:
        - name: {ContextName}
          context:
            cluster: {ContextName}
            user: service-account
        current-context: {ContextName}

        """;

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
