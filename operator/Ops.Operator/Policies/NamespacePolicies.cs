using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Informers;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Policies;

/// <summary>
/// The DiagnosticPolicies that apply to a namespace, from the operator's informers of policies and namespaces (both
/// small: one object per namespace, cut to its labels). Read when a command starts, so a policy change applies to the
/// commands that start after it, and each decision names the policy it came from.
/// </summary>
public sealed class NamespacePolicies(ResourceInformer<V1Alpha1DiagnosticPolicy> policies, ResourceInformer<V1Namespace> namespaces)
{
    /// <summary>
    /// The policies selecting <paramref name="ns"/>, by name; the default when none does; null when the namespace is
    /// not in the cache yet (a command in a namespace created a moment ago), so that nothing is decided on no labels.
    /// A policy whose selector is not valid selects nothing (its status says why).
    /// </summary>
    public IReadOnlyList<NamedPolicy>? For(string ns)
    {
        if (!namespaces.TryGet(new NamespacedName("", ns), out var found)) return null;
        return Selecting(policies.Items, found.Metadata.Labels);
    }

    /// <summary>The policies among <paramref name="all"/> that select a namespace with these labels, or the default.</summary>
    public static IReadOnlyList<NamedPolicy> Selecting(IEnumerable<V1Alpha1DiagnosticPolicy> all, IDictionary<string, string>? labels)
    {
        List<NamedPolicy> selecting = [.. all
            .Where(p => p.Metadata.DeletionTimestamp is null && Selects(p.Spec.NamespaceSelector, labels))
            .OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .Select(p => new NamedPolicy(p.Metadata.Name, p.Spec))];
        return selecting.Count > 0 ? selecting : [NamedPolicy.Default];
    }

    public static bool Selects(V1LabelSelector? selector, IDictionary<string, string>? labels) =>
        selector is not null && LabelSelectors.Problem(selector) is null && LabelSelectors.Matches(selector, labels);

    /// <summary>Keeps a namespace's name and labels: what policies select by.</summary>
    public static V1Namespace Essentials(V1Namespace ns) => new()
    {
        ApiVersion = ns.ApiVersion,
        Kind = ns.Kind,
        Metadata = new V1ObjectMeta { Name = ns.Metadata.Name, Labels = ns.Metadata.Labels, ResourceVersion = ns.Metadata.ResourceVersion, Uid = ns.Metadata.Uid },
    };
}
