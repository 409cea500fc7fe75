namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>What the operator's configuration allows commands to do beyond their own namespace's pods.</summary>
public sealed record CommandPolicy(IReadOnlySet<string> HeavyActionsDisabledNamespaces);
