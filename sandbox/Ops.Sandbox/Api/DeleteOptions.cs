namespace Ops.Sandbox.Api;

/// <summary>The parts of metav1.DeleteOptions the sandbox honours.</summary>
internal sealed record DeleteOptions(string? PropagationPolicy = null, string? PreconditionUid = null, string? PreconditionResourceVersion = null, bool DryRun = false, long? GracePeriodSeconds = null)
{
    public static readonly DeleteOptions Background = new("Background");

    /// <summary>What a kubelet sends once a pod's containers have stopped: remove it now.</summary>
    public static readonly DeleteOptions Now = new("Background", GracePeriodSeconds: 0);
}
