using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Policies;

/// <summary>A policy that applies to a namespace, by the name its refusals give.</summary>
public sealed record NamedPolicy(string Name, V1Alpha1DiagnosticPolicy.PolicySpec Spec)
{
    /// <summary>What applies where no DiagnosticPolicy selects the namespace: every field at its default.</summary>
    public static readonly NamedPolicy Default = new("(default)", new V1Alpha1DiagnosticPolicy.PolicySpec());

    public bool IsDefault => ReferenceEquals(this, Default);

    /// <summary>How a message names it: "policy shop-team", or "the default policy (no DiagnosticPolicy selects namespace shop)".</summary>
    public string Describe(string ns) => IsDefault ? $"the default policy (no DiagnosticPolicy selects namespace {ns})" : $"DiagnosticPolicy {Name}";
}
