using Microsoft.Extensions.Logging;

namespace Ops.Operator.Hosting;

/// <summary>What the operator's worker logs (PKI bootstrap, leadership), with event ids 500–509.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(500, LogLevel.Error, "Leadership lost; stopping so that the restarted replica campaigns afresh")]
    public static partial void LeadershipLost(ILogger logger);

    [LoggerMessage(501, LogLevel.Warning, "Could not bootstrap the CA and certificates; retrying in {Delay}")]
    public static partial void PkiBootstrapFailed(ILogger logger, TimeSpan delay, Exception error);

    [LoggerMessage(502, LogLevel.Information, "Leading as {Identity}; informers synced, controllers running")]
    public static partial void Leading(ILogger logger, string identity);
}
