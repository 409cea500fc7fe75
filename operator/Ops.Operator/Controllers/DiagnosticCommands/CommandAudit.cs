using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// One structured audit line when a command starts, is refused and finishes, under the log category
/// <see cref="Category"/> (so it can be routed apart): who asked (user and groups the admission webhook stamped,
/// <see cref="Admission.Requester"/>; "unknown" for a command created while it was down), namespace, name, action, parameters with secret-looking values masked, targets,
/// outcome and artifacts. Event ids 800–809.
/// </summary>
public sealed partial class CommandAudit(ILoggerFactory loggers, Admission.RequesterSeal seal)
{
    public const string Category = "Ops.Audit";

    public const string Masked = "***";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public void Started(V1Alpha1DiagnosticCommand command, int targets) =>
        Audit(_logger, "started", RequesterOf(command), command.Metadata.NamespaceProperty, command.Metadata.Name, command.Spec.Action, Parameters(command.Spec.Parameters), targets, "Running", 0);

    public void Refused(V1Alpha1DiagnosticCommand command, string reason) =>
        Audit(_logger, "refused", RequesterOf(command), command.Metadata.NamespaceProperty, command.Metadata.Name, command.Spec.Action, Parameters(command.Spec.Parameters), 0, reason, 0);

    public void Finished(V1Alpha1DiagnosticCommand command) =>
        Audit(_logger, "finished", RequesterOf(command), command.Metadata.NamespaceProperty, command.Metadata.Name, command.Spec.Action, Parameters(command.Spec.Parameters),
            command.Status?.Targets?.Total ?? 0, command.Status?.Phase ?? "", command.Status?.Results?.Sum(r => r.Artifacts?.Count ?? 0) ?? 0);

    /// <summary>The parameters as JSON, every value whose name or content looks like a secret replaced by <see cref="Masked"/>.</summary>
    public static string Parameters(IReadOnlyDictionary<string, string>? parameters) =>
        JsonSerializer.Serialize((parameters ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(p => p.Key, p => LooksSecret(p.Key, p.Value) ? Masked : p.Value));

    public static bool LooksSecret(string name, string value) => SecretName().IsMatch(name) || SecretValue().IsMatch(value);

    /// <summary>Who asked, as the audit line and Events name them.</summary>
    public string RequesterOf(V1Alpha1DiagnosticCommand command) => seal.Describe(command.Metadata);

    [GeneratedRegex("pass|secret|token|key|credential|auth|cookie|session|private", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    // A bearer or basic credential, a PEM block, a URL with a user and password, or a long unbroken token.
    [GeneratedRegex(@"(?i:bearer\s|basic\s)|-----BEGIN|://[^/\s:@]+:[^/\s@]+@|^[A-Za-z0-9+/=_\-.]{32,}$", RegexOptions.CultureInvariant)]
    private static partial Regex SecretValue();

    [LoggerMessage(800, LogLevel.Information, "audit: command {Event} requester={RequestedBy} namespace={Namespace} name={Name} action={Action} parameters={Parameters} targets={Targets} outcome={Outcome} artifacts={Artifacts}")]
    private static partial void Audit(ILogger logger, string @event, string requestedBy, string? @namespace, string name, string action, string parameters, int targets, string outcome, int artifacts);
}
