using System.ComponentModel.DataAnnotations;

namespace Ops.Operator.Agents.Pki;

/// <summary>Where the operator keeps its CA and the agents' serving certificate, and how long they live.</summary>
public sealed record PkiOptions
{
    [Required] public string Namespace { get; init; } = "ops-system";
    [Required] public string CaSecretName { get; init; } = "ops-ca";
    [Required] public string AgentSecretName { get; init; } = "ops-agent-tls";
    public TimeSpan CaValidity { get; init; } = TimeSpan.FromDays(3650);
    public TimeSpan AgentValidity { get; init; } = TimeSpan.FromDays(365);
    /// <summary>The agent certificate is re-issued when it has less than this left.</summary>
    public TimeSpan RenewBefore { get; init; } = TimeSpan.FromDays(30);
    /// <summary>The operator's client certificate is issued at every start and held in memory only.</summary>
    public TimeSpan ClientValidity { get; init; } = TimeSpan.FromDays(30);
}
