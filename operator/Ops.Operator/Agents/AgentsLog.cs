using Microsoft.Extensions.Logging;

namespace Ops.Operator.Agents;

/// <summary>What the agent channels and the PKI bootstrap log, with event ids 600–609.</summary>
internal static partial class AgentsLog
{
    [LoggerMessage(600, LogLevel.Information, "Created the Ops CA in Secret {Namespace}/{Secret}")]
    public static partial void CaCreated(ILogger logger, string @namespace, string secret);

    [LoggerMessage(601, LogLevel.Information, "Issued the agents' serving certificate in Secret {Namespace}/{Secret} ({Reason})")]
    public static partial void AgentCertificateIssued(ILogger logger, string @namespace, string secret, string reason);

    [LoggerMessage(602, LogLevel.Debug, "The agent Secret changed under us; reading it again")]
    public static partial void AgentSecretChanged(ILogger logger);

    [LoggerMessage(604, LogLevel.Information, "Published the Ops CA's certificate in ConfigMap {Namespace}/{ConfigMap}")]
    public static partial void CaPublished(ILogger logger, string @namespace, string configMap);

    [LoggerMessage(603, LogLevel.Warning, "Refused agent {Address}: {Reason}")]
    public static partial void AgentRefused(ILogger logger, string? address, string reason);
}
