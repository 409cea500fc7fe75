namespace Ops.Sandbox.Api;

/// <summary>The parts of metav1.DeleteOptions the sandbox honours.</summary>
internal sealed record DeleteOptions(string? PropagationPolicy = null, string? PreconditionUid = null, string? PreconditionResourceVersion = null, bool DryRun = false)
{
    public static readonly DeleteOptions Background = new("Background");
}
