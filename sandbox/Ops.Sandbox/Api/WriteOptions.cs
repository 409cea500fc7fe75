namespace Ops.Sandbox.Api;

/// <summary>Query options of writes: dryRun, fieldManager, fieldValidation (Strict, Warn, Ignore), force.</summary>
internal sealed record WriteOptions(bool DryRun = false, string? FieldManager = null, string FieldValidation = "Warn", bool Force = false, string UserAgent = "")
{
    /// <summary>The manager recorded in managedFields: the fieldManager, or the user agent's first word as the API server derives it.</summary>
    public string Manager => FieldManager is { Length: > 0 } manager ? manager : UserAgent.Split('/', ' ')[0] is { Length: > 0 } agent ? agent : "unknown";

    public static readonly WriteOptions System = new(FieldManager: "ops-sandbox");
}
