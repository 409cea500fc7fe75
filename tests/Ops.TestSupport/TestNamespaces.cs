using k8s;
using k8s.Models;

namespace Ops.TestSupport;

/// <summary>Each integration test works in a namespace of its own, named from a prefix.</summary>
public static class TestNamespaces
{
    public static async Task<string> CreateAsync(IKubernetes client, string prefix = "t", CancellationToken cancellationToken = default)
    {
        var created = await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { GenerateName = prefix.ToLowerInvariant() + "-" } }, cancellationToken: cancellationToken);
        return created.Metadata.Name;
    }
}
