using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Hosting;
using Ops.ControllerRuntime.Informers;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Policies;

namespace Ops.Operator.Controllers.DiagnosticPolicies;

/// <summary>
/// Shows which namespaces a DiagnosticPolicy selects now (and why none, when its selector cannot be used), so that
/// <c>kubectl get dpol</c> answers "does my policy apply?" before a command is refused. Enforcement is not here: a
/// command's start reads the policies itself (<see cref="NamespacePolicies"/>).
/// </summary>
public sealed class DiagnosticPolicyReconciler(
    ResourceInformer<V1Alpha1DiagnosticPolicy> policies,
    ResourceInformer<V1Namespace> namespaces,
    CustomResourceClient<V1Alpha1DiagnosticPolicy> api,
    TimeProvider clock) : IReconciler<V1Alpha1DiagnosticPolicy>, IControllerSetup<V1Alpha1DiagnosticPolicy>
{
    /// <summary>The condition that says whether the policy can select namespaces.</summary>
    public const string Valid = "Valid";

    private const string Selects = "the policy applies to the namespaces its selector matches";

    /// <summary>The most namespace names a status lists; the count is always whole.</summary>
    public const int ListedNamespaces = 50;

    /// <summary>Besides its own spec, a policy wakes when a namespace is created, relabelled or deleted.</summary>
    public static void Setup(ControllerBuilder<V1Alpha1DiagnosticPolicy> controller) => controller
        .Workers(1)
        .Watches<V1Namespace>((_, all) => all.Select(NamespacedName.Of));

    public async Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (!policies.TryGet(key, out var policy) || policy.Metadata.DeletionTimestamp is not null) return ReconcileResult.Done;
        var problem = LabelSelectors.Problem(policy.Spec.NamespaceSelector) is { } p ? $"spec.namespaceSelector: {p}; the policy selects no namespace" : null;
        List<string> selected = problem is not null ? [] : [.. namespaces.Items
            .Where(ns => NamespacePolicies.Selects(policy.Spec.NamespaceSelector, ns.Metadata.Labels))
            .Select(ns => ns.Metadata.Name).Order(StringComparer.Ordinal)];
        var status = policy.Status;
        var listed = selected.Take(ListedNamespaces).ToList();
        var valid = Conditions.Find(status?.Conditions, Valid);
        if (status is not null && status.ObservedGeneration == policy.Metadata.Generation && status.NamespaceCount == selected.Count && valid?.Status == (problem is null ? "True" : "False") && valid?.Message == (problem ?? Selects)
            && (status.Namespaces ?? []).SequenceEqual(listed, StringComparer.Ordinal))
        {
            return ReconcileResult.Done;
        }
        await api.ChangeStatusAsync(policy, (V1Alpha1DiagnosticPolicy.PolicyStatus s) =>
        {
            s.NamespaceCount = selected.Count;
            s.Namespaces = listed.Count == 0 ? null : listed;
            s.ObservedGeneration = policy.Metadata.Generation;
            Conditions.Set(s.Conditions!, Valid, problem is null, problem is null ? "SelectorValid" : "InvalidSelector", problem ?? Selects, policy.Metadata.Generation, clock.GetUtcNow());
        }, cancellationToken);
        return ReconcileResult.Done;
    }
}
