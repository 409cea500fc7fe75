using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// What a fan-out runs: the command's identity and spec, its resolved targets, the window its targets' starts are spread
/// over, and where its pod targets' network checks may reach besides the pod (what its policies allowed at the start).
/// </summary>
public sealed record FanOutRequest(string CommandUid, string Namespace, V1Alpha1DiagnosticCommand.CommandSpec Spec, IReadOnlyList<CommandTarget> Targets, int JitterSeconds = 0)
{
    public IReadOnlyList<string> NetworkDestinations { get; init; } = [];

    /// <summary>A target's start delay: a stable pseudo-random offset within the jitter window, the same on every replay.</summary>
    public TimeSpan StartDelayOf(CommandTarget target) => JitterSeconds <= 0 ? TimeSpan.Zero
        : TimeSpan.FromMilliseconds(BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{CommandUid}/{target.Key}")), 0) % (JitterSeconds * 1000u));
}
