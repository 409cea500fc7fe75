using k8s;
using k8s.Models;

namespace Ops.TestSupport;

/// <summary>Each integration test works in a namespace of its own, named from a prefix.</summary>
public static class TestNamespaces
{
    /// <summary>The label of the namespaces tests create: the tests' DiagnosticPolicy selects them (<see cref="ClusterFixture"/>).</summary>
    public const string Label = "ops.dev/test-namespace";

    public static async Task<string> CreateAsync(IKubernetes client, string prefix = "t", CancellationToken cancellationToken = default)
    {
        var created = await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { GenerateName = prefix.ToLowerInvariant() + "-", Labels = new Dictionary<string, string> { [Label] = "true" } } }, cancellationToken: cancellationToken);
        // As Kubernetes' own e2e framework does: pods can be created once the namespace's default ServiceAccount exists.
        await Eventually.True(async () => (await client.CoreV1.ListNamespacedServiceAccountAsync(created.Metadata.Name, fieldSelector: "metadata.name=default", cancellationToken: cancellationToken)).Items.Count == 1,
            $"the default ServiceAccount of namespace {created.Metadata.Name}");
        return created.Metadata.Name;
    }
}
