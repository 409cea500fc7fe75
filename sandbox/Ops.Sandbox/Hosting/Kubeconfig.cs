using System.Text;

namespace Ops.Sandbox.Hosting;

/// <summary>A kubeconfig for the sandbox that kubectl and KubernetesClient use unchanged.</summary>
internal static class Kubeconfig
{
    public const string ContextName = "ops-sandbox";

    /// <summary>The administrator's kubeconfig: the CA inline, the admin token, namespace default.</summary>
    public static string Render(string server, string caPem, string token) =>
        Document(server, $"certificate-authority-data: {Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem))}", $"{ContextName}-admin", token, "default");

    /// <summary>A pod's kubeconfig under the process runtime: its service account's token, and the projected CA file.</summary>
    public static string RenderForServiceAccount(string server, string caPath, string token) =>
        Document(server, $"certificate-authority: {caPath}", "service-account", token, null);

    private static string Document(string server, string authority, string user, string token, string? ns) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {ContextName}
          cluster:
            server: {server}
            {authority}
        users:
        - name: {user}
          user:
            token: {token}
        contexts:
        - name: {ContextName}
          context:
            cluster: {ContextName}
            user: {user}
        {(ns is null ? "" : $"    namespace: {ns}")}
        current-context: {ContextName}
        preferences: {"{}"}

        """;
}
