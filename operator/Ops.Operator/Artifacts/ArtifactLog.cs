using Microsoft.Extensions.Logging;

namespace Ops.Operator.Artifacts;

/// <summary>What artifact downloads log, with event ids 700–709.</summary>
internal static partial class ArtifactLog
{
    [LoggerMessage(700, LogLevel.Information, "{User} downloaded artifact {Artifact} of {Namespace}/{Command}")]
    public static partial void Downloaded(ILogger logger, string user, string artifact, string @namespace, string command);
}
