using k8s;
using k8s.Models;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.TestSupport;

/// <summary>DiagnosticPolicies the end-to-end tests give the namespaces they make.</summary>
public static class TestPolicies
{
    /// <summary>
    /// A policy selecting <paramref name="ns"/> by name with what <paramref name="grant"/> sets, created and seen by the
    /// operator: it has counted the namespace in the policy's status, so its caches (which starts and the admission
    /// webhook read) know both.
    /// </summary>
    public static async Task<V1Alpha1DiagnosticPolicy> ForNamespaceAsync(IKubernetes client, string name, string ns, Action<V1Alpha1DiagnosticPolicy.PolicySpec> grant, CancellationToken cancellationToken)
    {
        var policy = new V1Alpha1DiagnosticPolicy
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new() { NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = ns } } },
        };
        grant(policy.Spec);
        await client.CustomObjects.CreateClusterCustomObjectAsync(policy, ApiGroup.Name, ApiGroup.Version, V1Alpha1DiagnosticPolicy.Plural, cancellationToken: cancellationToken);
        await Eventually.True(async () => (await GetAsync(client, name, cancellationToken)).Status?.NamespaceCount == 1, $"the operator to see DiagnosticPolicy {name} select namespace {ns}");
        return policy;
    }

    public static async Task<V1Alpha1DiagnosticPolicy> GetAsync(IKubernetes client, string name, CancellationToken cancellationToken) =>
        await client.CustomObjects.GetClusterCustomObjectAsync<V1Alpha1DiagnosticPolicy>(ApiGroup.Name, ApiGroup.Version, V1Alpha1DiagnosticPolicy.Plural, name, cancellationToken: cancellationToken);
}
