namespace Ops.Operator.Api.V1Alpha1;

/// <summary>What became of a crossing in a DiagnosticTrigger's status.</summary>
public static class TriggerFiringOutcomes
{
    /// <summary>A command was started for it.</summary>
    public const string Fired = "Fired";

    /// <summary>A limit held it back; it will not fire later.</summary>
    public const string Withheld = "Withheld";
}
