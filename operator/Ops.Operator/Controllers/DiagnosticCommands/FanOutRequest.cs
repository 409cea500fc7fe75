using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>What a fan-out runs: the command's identity and spec, and its resolved targets.</summary>
public sealed record FanOutRequest(string CommandUid, string Namespace, V1Alpha1DiagnosticCommand.CommandSpec Spec, IReadOnlyList<CommandTarget> Targets);
